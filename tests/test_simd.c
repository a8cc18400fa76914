/* tests/test_simd.c */

void tests_simd(void) {}
