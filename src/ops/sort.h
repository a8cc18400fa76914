/* ops/sort.h: sorting, ranking and searching (np.sort, np.argsort, np.unique, np.searchsorted, torch.topk).

   Order: ascending order is NumPy's, with NaNs last. Descending order is torch.sort(descending=True, stable=True):
   NaN counts as the largest value, so NaNs come first, and equal elements keep their original order (it is not
   the reverse of the ascending order). All sorts are stable (NumPy's kind='stable'), so results are unique and
   identical for any thread count. axis may be negative; NN_ALL_AXES works on the flattened array (row-major). */

/* Sorted copy of x along axis (np.sort(x, axis, kind='stable')); NN_ALL_AXES sorts the flattened array into 1-D.
   descending != 0 sorts largest first (NaNs first, ties in original order). */
NNDEF nn_tensor *nn_sort(const nn_tensor *x, int axis, int descending);
/* int64 indices that sort x along axis (np.argsort(x, axis, kind='stable')); ties keep their original order in
   both directions. NN_ALL_AXES gives flat row-major indices. */
NNDEF nn_tensor *nn_argsort(const nn_tensor *x, int axis, int descending);
/* Sorted unique values of the flattened x (np.unique, NumPy 1.24's equal_nan=True: all NaNs become one NaN at the
   end). counts and inverse are optional outputs (NULL to skip), int64: counts[i] = occurrences of value i, and
   inverse (x's size, flat) holds for each element of x the position of its value in the result. -0.0 and 0.0 are
   one value, represented by whichever comes first in x (NumPy leaves that choice to an unstable sort). */
NNDEF nn_tensor *nn_unique(const nn_tensor *x, nn_tensor **counts, nn_tensor **inverse);
/* int64 insertion points of values into the 1-D ascending array sorted (np.searchsorted; right = 0: side='left',
   first i with sorted[i] >= v; right != 0: side='right', first i with sorted[i] > v). Result has values' shape.
   Both inputs are compared in their promoted dtype; NaNs order last, as np.sort leaves them. */
NNDEF nn_tensor *nn_searchsorted(const nn_tensor *sorted, const nn_tensor *values, int right);
/* The k largest (largest != 0) or smallest elements along axis, sorted (torch.topk(sorted=True)): values has x's
   dtype, indices int64, both x's shape with axis replaced by k. Equal elements come in original order; NaN counts
   as the largest value. Either output may be NULL (not wanted); 0 <= k <= size of axis. NN_ALL_AXES flattens. */
NNDEF nn_status nn_topk(const nn_tensor *x, int64_t k, int axis, int largest, nn_tensor **values, nn_tensor **indices);
