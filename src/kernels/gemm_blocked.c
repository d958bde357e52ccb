/* gemm_blocked.c — the cache-blocked GEMM driver and its thread partition.
 *
 * Loop nest (Goto/BLIS), for the rectangle of C one thread owns:
 *   for each block of nc columns
 *     for each K block of kc                   (kc fixed by K alone → fixed reduction order)
 *       pack op(B) block                       (kc×nc, stays in L2)
 *       for each mr rows: pack op(A)           (kc×mr micro-panel, stays in L1)
 *         for each nr columns: micro-kernel    (mr×nr tile in registers, B streamed from L2)
 * C is cut into rectangles of whole tiles (work units) that threads take one at a time as they
 * finish (dynamic schedule); each unit runs the full K loop, so an element's sum over k is the
 * same whatever the thread count, partition or which thread took the unit. */
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_packed.h"

#include "core/alloc.h"
#include "core/fpu.h"
#include "kernels/dropout_kernel.h"

#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this many multiply-adds per thread, waking another thread costs more than it saves
 * (an OpenMP fork/join is a few microseconds; this is about 10 µs of one core's work). */
enum { DN_GEMM_MIN_MACS_PER_THREAD = 1 << 19 };

/* The rectangle of C one thread computes: rows [m0, m1), columns [n0, n1). */
typedef struct dn_gemm_block {
    size_t m0, m1, n0, n1;
} dn_gemm_block;

static size_t dn_min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t dn_ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* The K block size (gemm_blocked.h): ceil(K/kc_max) blocks of nearly equal length (rounded up
 * to 8), so no tiny last block wastes a pass over C. */
size_t dni_gemm_k_block(size_t K, size_t kc_max) {
    size_t blocks = dn_ceil_div(K, kc_max);
    size_t kc = dn_ceil_div(K, blocks);
    kc = (kc + 7) / 8 * 8;
    return dn_min_size(kc, kc_max);
}

/* C block ← beta·C block before accumulating, for a beta other than 0 and 1. */
static void dn_gemm_scale_block(const dn_gemm_problem *p, dn_gemm_block b) {
    for (size_t i = b.m0; i < b.m1; ++i)
        for (size_t j = b.n0; j < b.n1; ++j) p->C[i * p->ldc + j] *= p->beta;
}

/* C block = beta·C block when K = 0 (there is no product to add). */
static void dn_gemm_no_product(const dn_gemm_problem *p, dn_gemm_block b) {
    if (p->beta == 1.0f) return;
    if (p->beta != 0.0f) {
        dn_gemm_scale_block(p, b);
        return;
    }
    for (size_t i = b.m0; i < b.m1; ++i)
        for (size_t j = b.n0; j < b.n1; ++j) p->C[i * p->ldc + j] = 0.0f;
}

/* One block of the loop nest: C[m0:m1, j0:j0+n_block] (+)= op(A)[m0:m1, k0:k0+kc] · op(B) block.
 * (Software prefetching of the next block's B into L2 from here was tried and lost 5-10 %.) */
static void dn_gemm_run_kblock(const dn_gemm_impl *impl, const dn_gemm_problem *p, dn_gemm_block b,
                               size_t j0, size_t n_block, size_t k0, size_t kc, float *a_buf,
                               float *b_buf) {
    const size_t mr = impl->mr, nr = impl->nr;
    int accumulate = k0 > 0 || p->beta != 0.0f;
    /* Aᵀ already holds each k's mr rows contiguously, so a full panel can be read in place.
     * Worth it only when few B panels reuse it: packing costs a pass over the panel, and the
     * packed copy is compact in L1 where the in-place one is kc rows lda apart. Partial panels
     * are always packed, so nothing past row M is read. */
    int in_place_a = p->trans_a && n_block <= 2 * nr && !impl->packs_pairs;
    const float *panels = b_buf;
    if (p->packed_b != NULL) /* this block's panels already lie together (gemm_packed.h) */
        panels = p->packed_b + dni_gemm_packed_offset(impl, p->N, k0, kc, j0);
    else if (impl->pack_b_block != NULL)
        impl->pack_b_block(p, k0, kc, j0, n_block, b_buf);
    else
        for (size_t jr = 0; jr < n_block; jr += nr)
            impl->pack_b(p, k0, kc, j0 + jr, dn_min_size(nr, n_block - jr), nr, b_buf + jr * kc);
    for (size_t i0 = b.m0; i0 < b.m1; i0 += mr) {
        size_t m = dn_min_size(mr, b.m1 - i0), a_step = mr;
        const float *a = a_buf;
        if (in_place_a && m == mr) {
            a = p->A + k0 * p->lda + i0;
            a_step = p->lda;
        } else {
            impl->pack_a(p, i0, m, k0, kc, mr, a_buf);
        }
        float *c = p->C + i0 * p->ldc + j0;
        for (size_t jr = 0; jr < n_block; jr += nr)
            impl->micro(kc, a, a_step, panels + jr * kc, c + jr, p->ldc, m,
                        dn_min_size(nr, n_block - jr), accumulate);
        if (p->epilogue != NULL && k0 + kc == p->K) /* these rows of the block are final */
            dni_gemm_epilogue_apply(p, i0, m, j0, n_block);
    }
}

/* Computes C[m0:m1, n0:n1] with packed panels. a_buf holds kc·mr floats, b_buf kc·nc (both
 * 64-byte aligned); nc is a multiple of nr. */
static void dn_gemm_run_block(const dn_gemm_impl *impl, const dn_gemm_problem *p, dn_gemm_block b,
                              size_t nc, float *a_buf, float *b_buf) {
    if (b.m0 >= b.m1 || b.n0 >= b.n1) return;
    if (p->K == 0) {
        dn_gemm_no_product(p, b);
        if (p->epilogue != NULL) dni_gemm_epilogue_apply(p, b.m0, b.m1 - b.m0, b.n0, b.n1 - b.n0);
        return;
    }
    if (p->beta != 0.0f && p->beta != 1.0f) dn_gemm_scale_block(p, b);
    const size_t kc_max = dni_gemm_k_block(p->K, impl->kc);
    for (size_t j0 = b.n0; j0 < b.n1; j0 += nc) {
        size_t n_block = dn_min_size(nc, b.n1 - j0);
        for (size_t k0 = 0; k0 < p->K; k0 += kc_max)
            dn_gemm_run_kblock(impl, p, b, j0, n_block, k0, dn_min_size(kc_max, p->K - k0), a_buf,
                               b_buf);
    }
}

/* Splits `tiles` into `parts` near-equal contiguous ranges; returns range `index` scaled by the
 * tile size and clipped to `extent`. */
static void dn_gemm_split(size_t tiles, size_t parts, size_t index, size_t tile, size_t extent,
                          size_t *lo, size_t *hi) {
    *lo = dn_min_size(tiles * index / parts * tile, extent);
    *hi = dn_min_size(tiles * (index + 1) / parts * tile, extent);
}

/* Chooses a grid gm×gn = team of C rectangles that minimises the busiest thread's cost: its
 * padded tile area (work) plus its rows and columns (packing, weighted as roughly 8 multiply-adds
 * per packed element). Returns 0 when no grid of exactly `team` parts fits the tiles. */
static int dn_gemm_grid(size_t m_tiles, size_t n_tiles, size_t mr, size_t nr, size_t team,
                        size_t *gm, size_t *gn) {
    double best = -1.0;
    for (size_t rows = 1; rows <= team; ++rows) {
        if (team % rows != 0 || rows > m_tiles || team / rows > n_tiles) continue;
        double h = (double)(dn_ceil_div(m_tiles, rows) * mr);
        double w = (double)(dn_ceil_div(n_tiles, team / rows) * nr);
        double cost = h * w + 8.0 * (h + w);
        if (best < 0.0 || cost < best) {
            best = cost;
            *gm = rows;
            *gn = team / rows;
        }
    }
    return best >= 0.0;
}

/* The work units of one product: C cut into a grid gm×gn of rectangles of whole tiles (columns
 * at multiples of the column quantum nq: nr, or 64 for a fused dropout), handed to the threads
 * one at a time as each finishes its last (dynamic schedule), so a thread that loses its core to
 * a neighbour delays only the unit it holds, not half of C. Which thread computes a unit never
 * changes a sum: every element's K loop runs whole inside one unit. */
typedef struct dn_gemm_units {
    size_t gm, gn, m_tiles, n_tiles, nq;
} dn_gemm_units;

/* What grid gm×gn costs beyond computing C once, as a fraction of the multiply-adds: each column
 * part packs its rows of A (8 multiply-adds per packed element, as dn_gemm_grid), each row part
 * packs its columns of B, or, when B comes packed (inference), streams them from L3 again
 * (weighted 1/4: no packing, only fewer rows reusing each B block from L2; on the W3 network 16
 * row units of 16 rows each measured as fast as 2 on an idle machine, and faster beside a
 * busy neighbour). */
static double dn_gemm_packing_share(const dn_gemm_problem *p, size_t mr, const dn_gemm_units *u) {
    double rows = (double)(u->m_tiles * mr), cols = (double)(u->n_tiles * u->nq);
    double b_weight = p->packed_b != NULL ? 0.25 : 8.0;
    return 8.0 * (double)u->gn / cols + b_weight * (double)u->gm / rows;
}

/* The grid of exactly `parts` units with the least packing share; 0 when none fits the tiles.
 * (Units are handed out dynamically, so their balance matters less than their total cost.) */
static int dn_gemm_cheapest_grid(const dn_gemm_problem *p, size_t mr, size_t parts,
                                 dn_gemm_units *u) {
    dn_gemm_units best = *u, trial = *u;
    double best_share = -1.0;
    for (size_t rows = 1; rows <= parts; ++rows) {
        if (parts % rows != 0 || rows > u->m_tiles || parts / rows > u->n_tiles) continue;
        trial.gm = rows;
        trial.gn = parts / rows;
        double share = dn_gemm_packing_share(p, mr, &trial);
        if (best_share < 0.0 || share < best_share) {
            best_share = share;
            best = trial;
        }
    }
    *u = best;
    return best_share >= 0.0;
}

/* Units for a team: the grid that balances `team` equal parts best (dn_gemm_grid), then the
 * cheapest grid of 2, 4 or 8 times as many parts while it costs at most
 * DN_GEMM_UNIT_PACKING_BUDGET more (dn_gemm_packing_share): with B packed ahead, tall products
 * split into many row units almost for free; a training step's short, wide products stay coarse.
 *
 * A product whose epilogue has a `finished` hook is cut into row bands only, two per thread: the
 * hook (the fused optimizer step, optimizer.h) reads and writes other slabs laid out as C (W,
 * velocity, moments), so a row band is one contiguous stretch of each. Column units made two cores
 * update interleaved halves of the same rows: on the 2-core Zen 5 VM of 2026-12-02 a W2 training
 * run was 1.14x slower with them (SGD-momentum; Adam 1.22x, bf16 1.16x), 5-7 alternating runs
 * each, bit for bit the same results (bench/RESULTS.md). With fewer row tiles than threads (a
 * layer of a few inputs) the grid below still gives every thread a part. */
enum { DN_GEMM_UNITS_PER_THREAD_MAX = 8, DN_GEMM_HOOK_UNITS_PER_THREAD = 2 };
static const double DN_GEMM_UNIT_PACKING_BUDGET = 0.015;
static dn_gemm_units dn_gemm_plan_units(const dn_gemm_impl *impl, const dn_gemm_problem *p,
                                        size_t team) {
    dn_gemm_units u = {1, 1, 0, 0, dni_gemm_column_quantum(impl, p)};
    u.m_tiles = dn_ceil_div(p->M, impl->mr);
    u.n_tiles = dn_ceil_div(p->N, u.nq);
    if (p->epilogue != NULL && p->epilogue->finished != NULL && u.m_tiles >= team) {
        u.gm = team <= 1 ? 1 : dn_min_size(team * DN_GEMM_HOOK_UNITS_PER_THREAD, u.m_tiles);
        return u;
    }
    size_t used = team;
    while (used > 1 && !dn_gemm_grid(u.m_tiles, u.n_tiles, impl->mr, u.nq, used, &u.gm, &u.gn))
        --used;
    if (used <= 1) {
        u.gm = u.gn = 1;
        return u;
    }
    const double limit = dn_gemm_packing_share(p, impl->mr, &u) + DN_GEMM_UNIT_PACKING_BUDGET;
    for (size_t f = 2; f <= DN_GEMM_UNITS_PER_THREAD_MAX; f *= 2) {
        dn_gemm_units finer = u;
        if (!dn_gemm_cheapest_grid(p, impl->mr, used * f, &finer) ||
            dn_gemm_packing_share(p, impl->mr, &finer) > limit)
            break;
        u = finer;
    }
    return u;
}

/* The rectangle of C of unit `index` (< gm·gn). */
static dn_gemm_block dn_gemm_unit_block(const dn_gemm_impl *impl, const dn_gemm_problem *p,
                                        const dn_gemm_units *u, size_t index) {
    dn_gemm_block b;
    dn_gemm_split(u->m_tiles, u->gm, index / u->gn, impl->mr, p->M, &b.m0, &b.m1);
    dn_gemm_split(u->n_tiles, u->gn, index % u->gn, u->nq, p->N, &b.n0, &b.n1);
    return b;
}

/* Threads worth using: the request (≤ 0: all), at most one per tile, and enough work each. */
static size_t dn_gemm_team_size(const dn_gemm_impl *impl, const dn_gemm_problem *p, int threads) {
#ifdef _OPENMP
    size_t want = threads > 0 ? (size_t)threads : (size_t)omp_get_max_threads();
#else
    size_t want = 1;
    (void)threads;
#endif
    size_t tiles = dn_ceil_div(p->M, impl->mr) * dn_ceil_div(p->N, impl->nr);
    double macs = (double)p->M * (double)p->N * (double)p->K;
    size_t by_work = (size_t)(macs / DN_GEMM_MIN_MACS_PER_THREAD) + 1;
    size_t team = dn_min_size(dn_min_size(want, tiles), by_work);
    return team > 0 ? team : 1;
}

void dni_gemm_unit_grid(const dn_gemm_impl *impl, const dn_gemm_problem *p, int threads,
                        size_t *gm, size_t *gn) {
    dn_gemm_units u = dn_gemm_plan_units(impl, p, dn_gemm_team_size(impl, p, threads));
    *gm = u.gm;
    *gn = u.gn;
}

void dni_gemm_blocked_small(const dn_gemm_impl *impl, const dn_gemm_problem *p) {
    _Alignas(64) float a_buf[DN_GEMM_MAX_KC * DN_GEMM_MAX_TILE_SPAN + DN_GEMM_PREFETCH_SLACK];
    float *b_buf = a_buf + impl->mr * DN_GEMM_MAX_KC; /* mr·kc_max floats: still 64-byte aligned */
    dn_gemm_block all = {0, p->M, 0, p->N};
    unsigned fpu = dni_fpu_enter(); /* as the parallel bodies: core/fpu.h */
    const dn_gemm_epilogue *e = p->epilogue;
    if (e != NULL && e->stream != NULL) {
        /* Blocks of nr columns here are not whole mask chunks: the dropout runs after, over all
         * of C, with the same bits. */
        dn_gemm_epilogue head = *e;
        head.stream = NULL;
        dn_gemm_problem q = *p;
        q.epilogue = &head;
        dn_gemm_run_block(impl, &q, all, impl->nr, a_buf, b_buf);
        size_t n = p->M * p->N;
        dni_dropout_mask_chunks(e->stream, e->step, e->threshold, e->scale, e->y, e->dropped,
                                e->bits, n, 0, (n + DN_DROPOUT_CHUNK - 1) / DN_DROPOUT_CHUNK);
    } else {
        dn_gemm_run_block(impl, p, all, impl->nr, a_buf, b_buf);
    }
    dni_fpu_leave(fpu);
}

size_t dni_gemm_per_thread_floats_max(const dn_gemm_impl *impl) {
    return (impl->kc * impl->mr + 15) / 16 * 16 +
           (impl->kc * impl->nc + DN_GEMM_PREFETCH_SLACK + 15) / 16 * 16;
}

void dni_gemm_blocked(const dn_gemm_impl *impl, int threads, const dn_gemm_problem *p,
                      const dn_gemm_workspace *given) {
    if (p->M == 0 || p->N == 0) return;
    size_t team = dn_gemm_team_size(impl, p, threads);
    /* Per-thread workspace: one A micro-panel and a B block of at most nc columns (rounded to
     * whole panels) plus the prefetch slack, each rounded to 16 floats so every buffer starts
     * 64-byte aligned. */
    size_t kc = dni_gemm_k_block(p->K > 0 ? p->K : 1, impl->kc);
    size_t nc = dn_min_size(impl->nc, dn_ceil_div(p->N, impl->nr) * impl->nr);
    size_t a_floats = (kc * impl->mr + 15) / 16 * 16;
    size_t b_floats = (kc * nc + DN_GEMM_PREFETCH_SLACK + 15) / 16 * 16;
    size_t per_thread = a_floats + b_floats, total;
    float *ws = NULL, *owned = NULL;
    if (!dni_mul_size(per_thread, team, &total)) total = SIZE_MAX;
    if (given != NULL && given->data != NULL && given->floats >= total) ws = given->data;
    else if (total != SIZE_MAX) ws = owned = dni_alloc_zeroed(total, sizeof(float));
    if (ws == NULL) {
        dni_gemm_blocked_small(impl, p);
        return;
    }
    const dn_gemm_units units = dn_gemm_plan_units(impl, p, team);
    const size_t count = units.gm * units.gn;
#ifdef _OPENMP
#pragma omp parallel num_threads((int)team) if (team > 1)
#endif
    {
        size_t me = 0; /* the team may be smaller than asked (nesting, limits): units still all run */
#ifdef _OPENMP
        me = (size_t)omp_get_thread_num();
#endif
        float *a_buf = ws + me * per_thread;
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (size_t i = 0; i < count; ++i)
            dn_gemm_run_block(impl, p, dn_gemm_unit_block(impl, p, &units, i), nc, a_buf,
                              a_buf + a_floats);
        dni_fpu_leave(fpu);
    }
    dni_free(owned);
}
