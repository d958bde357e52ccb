/* loss.c — losses over a batch, fused with the final activation where that is more stable. */
#include "model/loss.h"
#include "model/model.h"

#include <math.h>

int dni_loss_is_fused(dn_loss loss, dn_activation last) {
    return loss != DN_LOSS_MEAN_SQUARED_ERROR && loss != DN_LOSS_MEAN_ABSOLUTE_ERROR &&
           (last == DN_ACT_SOFTMAX || last == DN_ACT_SIGMOID || last == DN_ACT_LINEAR);
}

int dni_loss_is_regression(dn_loss loss) {
    return loss == DN_LOSS_MEAN_SQUARED_ERROR || loss == DN_LOSS_MEAN_ABSOLUTE_ERROR;
}

/* L = logsumexp(z) − z_t; dL/dz = softmax(z) − onehot(t). Uses y = softmax(z) when the layer
 * computed it, otherwise (linear output: logits) computes it here into grad. */
static void sparse_cce(dn_activation last, const float *z, const float *y, size_t rows,
                       size_t mean_rows, size_t cols, const int32_t *labels, float *grad,
                       double *loss_sum, double *correct) {
    float inv_rows = 1.0f / (float)mean_rows;
    for (size_t r = 0; r < rows; ++r) {
        const float *zr = z + r * cols;
        float *g = grad + r * cols;
        size_t best = 0;
        float max = zr[0];
        for (size_t j = 1; j < cols; ++j)
            if (zr[j] > max) max = zr[j], best = j;
        double sum = 0.0;
        for (size_t j = 0; j < cols; ++j) sum += exp((double)zr[j] - max);
        double lse = max + log(sum);
        size_t t = (size_t)labels[r];
        *loss_sum += lse - zr[t];
        *correct += best == t;
        for (size_t j = 0; j < cols; ++j) {
            float p = last == DN_ACT_SOFTMAX ? y[r * cols + j] : (float)exp(zr[j] - lse);
            g[j] = (p - (j == t ? 1.0f : 0.0f)) * inv_rows;
        }
    }
}

/* L = mean_j max(z,0) − z·t + log(1 + e^−|z|); dL/dz = (σ(z) − t) / (mean_rows·cols). */
static void binary_ce(const float *z, size_t rows, size_t mean_rows, size_t cols,
                      const float *targets, float *grad, double *loss_sum, double *correct) {
    float inv = 1.0f / (float)(mean_rows * cols);
    for (size_t r = 0; r < rows; ++r) {
        double row_loss = 0.0;
        for (size_t j = 0; j < cols; ++j) {
            size_t i = r * cols + j;
            double zi = z[i], t = targets[i];
            row_loss += (zi > 0 ? zi : 0) - zi * t + log1p(exp(-fabs(zi)));
            double p = zi >= 0 ? 1.0 / (1.0 + exp(-zi)) : exp(zi) / (1.0 + exp(zi));
            grad[i] = (float)(p - t) * inv;
            *correct += (p > 0.5) == (t > 0.5); /* Keras' binary_accuracy, threshold 0.5 */
        }
        *loss_sum += row_loss / (double)cols;
    }
}

/* MSE: L = mean_j (y − t)², dL/dy = 2(y − t) / (mean_rows·cols). MAE (`absolute`): L = mean_j
 * |y − t|, dL/dy = sign(y − t) / (mean_rows·cols), 0 where y = t (TensorFlow's sign). */
static void pointwise(int absolute, const float *y, size_t rows, size_t mean_rows, size_t cols,
                      const float *targets, float *grad, double *loss_sum) {
    float scale = (absolute ? 1.0f : 2.0f) / (float)(mean_rows * cols);
    for (size_t r = 0; r < rows; ++r) {
        double row_loss = 0.0;
        for (size_t j = 0; j < cols; ++j) {
            size_t i = r * cols + j;
            double diff = (double)y[i] - targets[i];
            row_loss += absolute ? fabs(diff) : diff * diff;
            float slope = absolute ? (float)((diff > 0) - (diff < 0)) : (float)diff;
            grad[i] = slope * scale;
        }
        *loss_sum += row_loss / (double)cols;
    }
}

void dni_loss_batch(dn_loss loss, dn_activation last, const float *pre, const float *y,
                    size_t rows, size_t mean_rows, size_t cols, const int32_t *labels,
                    const float *targets, float *grad, double *loss_sum, double *correct) {
    switch (loss) {
    case DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        sparse_cce(last, pre, y, rows, mean_rows, cols, labels, grad, loss_sum, correct);
        break;
    case DN_LOSS_BINARY_CROSSENTROPY:
        binary_ce(pre, rows, mean_rows, cols, targets, grad, loss_sum, correct);
        break;
    case DN_LOSS_MEAN_SQUARED_ERROR:
        pointwise(0, y, rows, mean_rows, cols, targets, grad, loss_sum);
        break;
    case DN_LOSS_MEAN_ABSOLUTE_ERROR:
        pointwise(1, y, rows, mean_rows, cols, targets, grad, loss_sum);
        break;
    }
}
