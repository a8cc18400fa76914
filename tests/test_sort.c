/* tests/test_sort.c */

void tests_sort(void) {}
