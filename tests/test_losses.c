/* tests/test_losses.c */

static void tests_losses(void) {}
