/* tests/test_optim.c */

static void tests_optim(void) {}
