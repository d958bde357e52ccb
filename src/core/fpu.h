/* fpu.h — denormal floats flushed to zero while dropnet computes (internal).
 *
 * Late in training, gradients, Adam's second moments and the products built from them drift into
 * the denormal range (|x| < 1.2e-38), where every x86 arithmetic instruction takes a slow
 * microcode path: a Fashion-MNIST epoch went from 3 s to 13 s by epoch 30. TensorFlow flushes
 * denormals on CPU for the same reason. Setting FTZ (results) and DAZ (inputs) in MXCSR is per
 * thread, so every kernel enters and leaves the mode itself around its arithmetic — each parallel
 * region's body, and the single-thread paths (GEMM without workspace, one-thread activations) —
 * restoring what the thread had. The same code therefore always runs in the same mode, whatever
 * the thread count: results stay bit-identical for 1, 2 or N threads. Never hold the mode across
 * an OpenMP region: threads OpenMP creates inherit the creating thread's MXCSR, and would keep
 * flushing for the rest of the program. */
#ifndef DN_CORE_FPU_H
#define DN_CORE_FPU_H

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>

enum { DN_MXCSR_FTZ_DAZ = 0x8040 }; /* bit 15 flush-to-zero, bit 6 denormals-are-zero */

static inline unsigned dni_fpu_enter(void) {
    unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | DN_MXCSR_FTZ_DAZ);
    return saved;
}

static inline void dni_fpu_leave(unsigned saved) { _mm_setcsr(saved); }
#else
static inline unsigned dni_fpu_enter(void) { return 0; }
static inline void dni_fpu_leave(unsigned saved) { (void)saved; }
#endif

#endif
