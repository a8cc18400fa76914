/* tests/test_conv.c */

void tests_conv(void) {}
