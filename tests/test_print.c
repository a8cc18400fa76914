/* tests/test_print.c */

void tests_print(void) {}
