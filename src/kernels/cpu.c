/* cpu.c — run-time CPU feature tests for choosing a SIMD kernel. */
#include "kernels/cpu.h"

/* Only GCC-compatible compilers targeting x86 have __builtin_cpu_supports; elsewhere no x86 SIMD
 * kernel exists, so "not supported" is the right answer. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define DN_CPU_X86 1
#else
#define DN_CPU_X86 0
#endif

int dni_cpu_has_avx512f(void) {
#if DN_CPU_X86
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

int dni_cpu_has_avx2_fma(void) {
#if DN_CPU_X86
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

int dni_cpu_has_avx512_bf16(void) {
#if DN_CPU_X86
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512bf16")
               ? 1
               : 0;
#else
    return 0;
#endif
}
