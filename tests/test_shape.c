/* tests/test_shape.c */

void tests_shape(void) {}
