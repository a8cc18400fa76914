/* tests/test_elementwise.c */

void tests_elementwise(void) {}
