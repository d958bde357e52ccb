/* test_philox.c — Philox4x32-10 against the published known-answer vectors. */
#include "test.h"

#include "dropnet.h"

#include <stdint.h>

TEST(philox_known_answers) {
    /* Salmon et al. (Random123 kat_vectors), as copied in shared/testvectors. */
    static const uint32_t cases[][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        uint32_t out[4];
        dn_philox4x32_10(cases[i], cases[i] + 4, out);
        for (int k = 0; k < 4; ++k)
            CHECK_MSG(out[k] == cases[i][6 + k], "case %zu word %d: %08x, expected %08x", i, k,
                      out[k], cases[i][6 + k]);
    }
}
