/* tests/test_io.c */

static void tests_io(void) {}
