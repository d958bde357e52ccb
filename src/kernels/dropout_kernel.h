/* dropout_kernel.h — inverted-dropout mask generation and application over a flat array
 * (internal). A portable path and an AVX-512 path give bit-identical results: the mask of
 * element e is the Philox word e%4 of block e/4 compared with the threshold, whatever the path,
 * thread count or chunking. */
#ifndef DN_KERNELS_DROPOUT_KERNEL_H
#define DN_KERNELS_DROPOUT_KERNEL_H

#include "core/rng.h"

#include <stddef.h>
#include <stdint.h>

/* Elements per chunk: 16 Philox blocks, two 32-bit words of mask bits. Threads take whole
 * chunks, so no two threads ever write the same mask word. */
enum { DN_DROPOUT_CHUNK = 64 };

/* For e in [0, n): keep bit e = (word(e) >= threshold); y[e] = kept ? x[e]·scale : 0.
 * keep_bits holds ⌈n/32⌉ words (bits past n are 0). */
void dni_dropout_mask_apply(const dn_rng_stream *stream, uint64_t step, uint32_t threshold,
                            float scale, const float *x, float *y, uint32_t *keep_bits, size_t n,
                            int threads);

/* The same for chunks [c_begin, c_end) only (elements [64·c_begin, min(64·c_end, n)) of the
 * n-element arrays x, y, keep_bits), on the calling thread in its current floating-point mode:
 * the GEMM's output pass fuses dropout into a tile of whole chunks (gemm_epilogue.c). */
void dni_dropout_mask_chunks(const dn_rng_stream *stream, uint64_t step, uint32_t threshold,
                             float scale, const float *x, float *y, uint32_t *keep_bits, size_t n,
                             size_t c_begin, size_t c_end);

/* dx[e] = kept(e) ? dy[e]·scale : 0 from the bits of the forward pass. */
void dni_dropout_mask_backward(const uint32_t *keep_bits, float scale, const float *dy, float *dx,
                               size_t n, int threads);

#endif
