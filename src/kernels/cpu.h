/* cpu.h — which SIMD instruction sets this CPU (and its operating system) can run (internal).
 *
 * The answers come from the CPUID data that libgcc reads once when the program loads
 * (__builtin_cpu_supports), which already checks that the OS saves the wide registers (XCR0), so
 * these functions keep no state of their own and are safe from any thread. They are not meant to
 * be called from constructors that run before libgcc's own. */
#ifndef DN_KERNELS_CPU_H
#define DN_KERNELS_CPU_H

/* 1 when AVX-512 Foundation instructions can run, else 0. */
int dni_cpu_has_avx512f(void);

/* 1 when AVX2 and FMA3 instructions can both run, else 0. */
int dni_cpu_has_avx2_fma(void);

/* 1 when AVX-512F, AVX-512BW and AVX512_BF16 (VDPBF16PS, VCVTNE2PS2BF16) can all run, else 0. */
int dni_cpu_has_avx512_bf16(void);

#endif
