/* Includes nn.h for declarations only: must compile in a blink and warning-free. */
#include "../../nn.h"
int nn_decl_only_probe(void);
int nn_decl_only_probe(void) { return NN_VERSION_MAJOR + (int)sizeof(nn_tensor) * 0; }
