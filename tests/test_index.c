/* tests/test_index.c */

void tests_index(void) {}
