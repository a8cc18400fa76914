/* tests/test_grad_math.c */

static void tests_grad_math(void) {}
