/* tests/test_matmul.c */

void tests_matmul(void) {}
