/* tests/test_grad_shape.c */

static void tests_grad_shape(void) {}
