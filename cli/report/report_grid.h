/* report_grid.h — the report's figures made of cells, as inline SVG: confusion heat maps,
 * grey-scale images and dropout-mask grids (cli/report/report_grid.c). Like every figure they
 * never rely on colour alone: heat maps print their counts, masks are black and white. */
#ifndef CLI_REPORT_GRID_H
#define CLI_REPORT_GRID_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A confusion matrix [t·classes + p] as a heat map shaded by the row fraction (recall), with the
 * count printed in every cell when there is room. names[i] labels class i. */
void cli_chart_heatmap(FILE *out, const uint64_t *matrix, size_t classes,
                     const char *const *names, const char *label);

/* side×side pixels (row-major, brightness = value, 0 black and 1 white, clamped) drawn `size`
 * units wide. */
void cli_chart_image(FILE *out, const float *pixels, size_t side, double size, const char *label);

/* A dropout keep mask [rows×cols] (1 kept, 0 dropped) as a grid: dropped cells black, kept
 * white; at most 64 rows and 300 columns are drawn, and a caption says when it is cropped. */
void cli_chart_mask(FILE *out, const uint8_t *keep, size_t rows, size_t cols, const char *label);

#endif
