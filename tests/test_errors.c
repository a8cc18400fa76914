/* tests/test_errors.c */

void tests_errors(void) {}
