/* tests/test_memory.c */

void tests_memory(void) {}
