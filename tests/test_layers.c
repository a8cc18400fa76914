/* tests/test_layers.c */

static void tests_layers(void) {}
