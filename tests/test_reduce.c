/* tests/test_reduce.c */

void tests_reduce(void) {}
