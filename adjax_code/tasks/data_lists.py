"""Lists, and dictionaries/maps used inside list and string tasks."""

from adjax_code.tasks import entry as _l

TASKS = [
    _l("sum_list", "lists", "sum_list(xs: list[int]) -> int",
       ["Return the sum of a list of integers.", "Add up all the numbers in the list.",
        "Compute the total of xs."],
       [(([1, 2, 3],), 6), (([],), 0), (([-5, 5],), 0), (([10],), 10), (([4, 4, 4, 4],), 16)],
       "def sum_list(xs):\n    return sum(xs)",
       "function sumList(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}",
       "class Solution {\n  static int sumList(int[] xs) {\n    int s = 0;\n"
       "    for (int x : xs) s += x;\n    return s;\n  }\n}",
       "func sumList(xs []int) int {\n\ts := 0\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n"
       "\treturn s\n}"),
    _l("max_in_list", "lists", "max_in_list(xs: list[int]) -> int",
       ["Return the largest element of a non-empty list.", "Find the maximum of xs.",
        "What is the biggest number in the list?"],
       [(([1, 5, 3],), 5), (([-2, -7],), -2), (([0],), 0), (([9, 9, 1],), 9),
        (([3, 8, 12, 4],), 12)],
       "def max_in_list(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n"
       "            best = x\n    return best",
       "function maxInList(xs) {\n  return Math.max(...xs);\n}",
       "class Solution {\n  static int maxInList(int[] xs) {\n    int best = xs[0];\n"
       "    for (int x : xs) best = Math.max(best, x);\n    return best;\n  }\n}",
       "func maxInList(xs []int) int {\n\tbest := xs[0]\n\tfor _, x := range xs {\n"
       "\t\tif x > best {\n\t\t\tbest = x\n\t\t}\n\t}\n\treturn best\n}"),
    _l("min_in_list", "lists", "min_in_list(xs: list[int]) -> int",
       ["Return the smallest element of a non-empty list.", "Find the minimum of xs.",
        "What is the least number in the list?"],
       [(([4, 2, 8],), 2), (([-1, -9],), -9), (([7],), 7), (([0, 0],), 0), (([5, 3, 9, 1],), 1)],
       "def min_in_list(xs):\n    return min(xs)",
       "function minInList(xs) {\n  return Math.min(...xs);\n}",
       "class Solution {\n  static int minInList(int[] xs) {\n    int best = xs[0];\n"
       "    for (int x : xs) best = Math.min(best, x);\n    return best;\n  }\n}",
       "func minInList(xs []int) int {\n\tbest := xs[0]\n\tfor _, x := range xs {\n"
       "\t\tif x < best {\n\t\t\tbest = x\n\t\t}\n\t}\n\treturn best\n}"),
    _l("average_floor", "lists", "average_floor(xs: list[int]) -> int",
       ["Return the average of a non-empty list of non-negative integers, rounded down.",
        "Compute the integer mean (floor) of xs.", "Give sum(xs) divided by len(xs), "
        "rounded down."],
       [(([1, 2, 3, 4],), 2), (([5],), 5), (([0, 0, 1],), 0), (([10, 20],), 15),
        (([7, 8, 9],), 8)],
       "def average_floor(xs):\n    return sum(xs) // len(xs)",
       "function averageFloor(xs) {\n  return Math.floor(xs.reduce((a, b) => a + b, 0) / "
       "xs.length);\n}",
       "class Solution {\n  static int averageFloor(int[] xs) {\n    int s = 0;\n"
       "    for (int x : xs) s += x;\n    return s / xs.length;\n  }\n}",
       "func averageFloor(xs []int) int {\n\ts := 0\n\tfor _, x := range xs {\n\t\ts += x\n"
       "\t}\n\treturn s / len(xs)\n}"),
    _l("count_even", "lists", "count_even(xs: list[int]) -> int",
       ["Return how many numbers in the list are even.", "Count the even elements of xs.",
        "How many entries of the list are divisible by two?"],
       [(([1, 2, 3, 4],), 2), (([],), 0), (([1, 3],), 0), (([0, -2],), 2),
        (([2, 2, 2],), 3)],
       "def count_even(xs):\n    return sum(1 for x in xs if x % 2 == 0)",
       "function countEven(xs) {\n  return xs.filter((x) => x % 2 === 0).length;\n}",
       "class Solution {\n  static int countEven(int[] xs) {\n    int n = 0;\n"
       "    for (int x : xs) if (x % 2 == 0) n++;\n    return n;\n  }\n}",
       "func countEven(xs []int) int {\n\tn := 0\n\tfor _, x := range xs {\n"
       "\t\tif x%2 == 0 {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"),
    _l("filter_positive", "lists", "filter_positive(xs: list[int]) -> list[int]",
       ["Return the positive numbers of the list, in order.",
        "Keep only the elements greater than zero.", "Filter out zero and negative values."],
       [(([1, -2, 3, 0],), [1, 3]), (([],), []), (([-1, -2],), []), (([5],), [5]),
        (([0, 7, -7, 8],), [7, 8])],
       "def filter_positive(xs):\n    return [x for x in xs if x > 0]",
       "function filterPositive(xs) {\n  return xs.filter((x) => x > 0);\n}",
       "class Solution {\n  static int[] filterPositive(int[] xs) {\n"
       "    return java.util.Arrays.stream(xs).filter(x -> x > 0).toArray();\n  }\n}",
       "func filterPositive(xs []int) []int {\n\tout := []int{}\n\tfor _, x := range xs {\n"
       "\t\tif x > 0 {\n\t\t\tout = append(out, x)\n\t\t}\n\t}\n\treturn out\n}"),
    _l("double_each", "lists", "double_each(xs: list[int]) -> list[int]",
       ["Return a new list with every element doubled.", "Multiply each number of xs by 2.",
        "Map x to 2x over the list."],
       [(([1, 2, 3],), [2, 4, 6]), (([],), []), (([-1],), [-2]), (([0, 5],), [0, 10]),
        (([7, 7],), [14, 14])],
       "def double_each(xs):\n    return [2 * x for x in xs]",
       "function doubleEach(xs) {\n  return xs.map((x) => 2 * x);\n}",
       "class Solution {\n  static int[] doubleEach(int[] xs) {\n"
       "    return java.util.Arrays.stream(xs).map(x -> 2 * x).toArray();\n  }\n}",
       "func doubleEach(xs []int) []int {\n\tout := make([]int, len(xs))\n"
       "\tfor i, x := range xs {\n\t\tout[i] = 2 * x\n\t}\n\treturn out\n}"),
    _l("reverse_list", "lists", "reverse_list(xs: list[int]) -> list[int]",
       ["Return the list in reverse order.", "Reverse the elements of xs.",
        "Give a new list with xs backwards."],
       [(([1, 2, 3],), [3, 2, 1]), (([],), []), (([5],), [5]), (([1, 1, 2],), [2, 1, 1]),
        (([-1, 0],), [0, -1])],
       "def reverse_list(xs):\n    return xs[::-1]",
       "function reverseList(xs) {\n  return [...xs].reverse();\n}",
       "class Solution {\n  static int[] reverseList(int[] xs) {\n"
       "    int[] out = new int[xs.length];\n"
       "    for (int i = 0; i < xs.length; i++) out[i] = xs[xs.length - 1 - i];\n"
       "    return out;\n  }\n}",
       "func reverseList(xs []int) []int {\n\tout := make([]int, len(xs))\n"
       "\tfor i, x := range xs {\n\t\tout[len(xs)-1-i] = x\n\t}\n\treturn out\n}"),
    _l("remove_duplicates", "lists", "remove_duplicates(xs: list[int]) -> list[int]",
       ["Return the list without duplicates, keeping first occurrences in order.",
        "Remove repeated numbers from xs, preserving order.",
        "Deduplicate the list, keeping the earliest copy of each value."],
       [(([1, 2, 1, 3, 2],), [1, 2, 3]), (([],), []), (([4, 4, 4],), [4]),
        (([3, 2, 1],), [3, 2, 1]), (([0, -1, 0, -1],), [0, -1])],
       "def remove_duplicates(xs):\n    seen, out = set(), []\n    for x in xs:\n"
       "        if x not in seen:\n            seen.add(x)\n            out.append(x)\n"
       "    return out",
       "function removeDuplicates(xs) {\n  return [...new Set(xs)];\n}",
       "class Solution {\n  static int[] removeDuplicates(int[] xs) {\n"
       "    return java.util.Arrays.stream(xs).distinct().toArray();\n  }\n}",
       "func removeDuplicates(xs []int) []int {\n\tseen := map[int]bool{}\n\tout := []int{}\n"
       "\tfor _, x := range xs {\n\t\tif !seen[x] {\n\t\t\tseen[x] = true\n"
       "\t\t\tout = append(out, x)\n\t\t}\n\t}\n\treturn out\n}"),
    _l("second_largest", "lists", "second_largest(xs: list[int]) -> int",
       ["Return the second largest distinct value in the list, or -1 if there is none.",
        "Find the runner-up value of xs (distinct values).",
        "Give the largest value strictly smaller than the maximum, -1 if absent."],
       [(([1, 3, 2],), 2), (([5, 5],), -1), (([7],), -1), (([4, 4, 3],), 3),
        (([10, 20, 20, 15],), 15)],
       "def second_largest(xs):\n    values = sorted(set(xs))\n"
       "    return values[-2] if len(values) > 1 else -1",
       "function secondLargest(xs) {\n  const v = [...new Set(xs)].sort((a, b) => a - b);\n"
       "  return v.length > 1 ? v[v.length - 2] : -1;\n}",
       "class Solution {\n  static int secondLargest(int[] xs) {\n"
       "    int[] v = java.util.Arrays.stream(xs).distinct().sorted().toArray();\n"
       "    return v.length > 1 ? v[v.length - 2] : -1;\n  }\n}",
       "import \"sort\"\n\nfunc secondLargest(xs []int) int {\n\tseen := map[int]bool{}\n"
       "\tv := []int{}\n\tfor _, x := range xs {\n\t\tif !seen[x] {\n\t\t\tseen[x] = true\n"
       "\t\t\tv = append(v, x)\n\t\t}\n\t}\n\tsort.Ints(v)\n\tif len(v) < 2 {\n\t\treturn -1\n"
       "\t}\n\treturn v[len(v)-2]\n}"),
    _l("running_sum", "lists", "running_sum(xs: list[int]) -> list[int]",
       ["Return the running (prefix) sums of the list.",
        "Compute cumulative sums: element i is xs[0] + ... + xs[i].",
        "Give the prefix sums of xs."],
       [(([1, 2, 3],), [1, 3, 6]), (([],), []), (([5],), [5]), (([1, -1, 1],), [1, 0, 1]),
        (([0, 0, 2],), [0, 0, 2])],
       "def running_sum(xs):\n    out, total = [], 0\n    for x in xs:\n        total += x\n"
       "        out.append(total)\n    return out",
       "function runningSum(xs) {\n  let t = 0;\n  return xs.map((x) => (t += x));\n}",
       "class Solution {\n  static int[] runningSum(int[] xs) {\n"
       "    int[] out = new int[xs.length];\n    int t = 0;\n"
       "    for (int i = 0; i < xs.length; i++) { t += xs[i]; out[i] = t; }\n"
       "    return out;\n  }\n}",
       "func runningSum(xs []int) []int {\n\tout := make([]int, len(xs))\n\tt := 0\n"
       "\tfor i, x := range xs {\n\t\tt += x\n\t\tout[i] = t\n\t}\n\treturn out\n}"),
    _l("rotate_left", "lists", "rotate_left(xs: list[int], k: int) -> list[int]",
       ["Rotate the list left by k positions.",
        "Move the first k elements (modulo the length) to the end.",
        "Shift xs cyclically to the left k times."],
       [(([1, 2, 3, 4, 5], 2), [3, 4, 5, 1, 2]), (([], 3), []), (([1, 2], 0), [1, 2]),
        (([1, 2, 3], 4), [2, 3, 1]), (([9], 7), [9])],
       "def rotate_left(xs, k):\n    if not xs:\n        return []\n    k %= len(xs)\n"
       "    return xs[k:] + xs[:k]",
       "function rotateLeft(xs, k) {\n  if (xs.length === 0) return [];\n  k %= xs.length;\n"
       "  return xs.slice(k).concat(xs.slice(0, k));\n}",
       "class Solution {\n  static int[] rotateLeft(int[] xs, int k) {\n    int n = xs.length;\n"
       "    int[] out = new int[n];\n"
       "    for (int i = 0; i < n; i++) out[i] = xs[(i + k) % n];\n    return out;\n  }\n}",
       "func rotateLeft(xs []int, k int) []int {\n\tn := len(xs)\n\tout := make([]int, n)\n"
       "\tfor i := range xs {\n\t\tout[i] = xs[(i+k)%n]\n\t}\n\treturn out\n}"),
    _l("product_of_list", "lists", "product_of_list(xs: list[int]) -> int",
       ["Return the product of the numbers in the list (1 for an empty list).",
        "Multiply all elements of xs together.", "Compute the product of xs."],
       [(([1, 2, 3, 4],), 24), (([],), 1), (([0, 5],), 0), (([-2, 3],), -6), (([7],), 7)],
       "def product_of_list(xs):\n    p = 1\n    for x in xs:\n        p *= x\n    return p",
       "function productOfList(xs) {\n  return xs.reduce((a, b) => a * b, 1);\n}",
       "class Solution {\n  static int productOfList(int[] xs) {\n    int p = 1;\n"
       "    for (int x : xs) p *= x;\n    return p;\n  }\n}",
       "func productOfList(xs []int) int {\n\tp := 1\n\tfor _, x := range xs {\n\t\tp *= x\n"
       "\t}\n\treturn p\n}"),
    _l("index_of_max", "lists", "index_of_max(xs: list[int]) -> int",
       ["Return the index of the largest element (the first one on ties), -1 if empty.",
        "Find the position of the maximum of xs.", "Where is the biggest number in the list?"],
       [(([1, 5, 3],), 1), (([],), -1), (([7, 7],), 0), (([-3, -1, -2],), 1), (([4],), 0)],
       "def index_of_max(xs):\n    if not xs:\n        return -1\n    return xs.index(max(xs))",
       "function indexOfMax(xs) {\n  let best = -1;\n"
       "  for (let i = 0; i < xs.length; i++) if (best < 0 || xs[i] > xs[best]) best = i;\n"
       "  return best;\n}",
       "class Solution {\n  static int indexOfMax(int[] xs) {\n    int best = -1;\n"
       "    for (int i = 0; i < xs.length; i++) if (best < 0 || xs[i] > xs[best]) best = i;\n"
       "    return best;\n  }\n}",
       "func indexOfMax(xs []int) int {\n\tbest := -1\n\tfor i, x := range xs {\n"
       "\t\tif best < 0 || x > xs[best] {\n\t\t\tbest = i\n\t\t}\n\t}\n\treturn best\n}"),
    _l("merge_alternating", "lists", "merge_alternating(a: list[int], b: list[int]) -> list[int]",
       ["Interleave two lists element by element, appending the rest of the longer one.",
        "Merge a and b alternately: a[0], b[0], a[1], b[1], ...",
        "Zip two lists together into one, alternating elements."],
       [(([1, 3], [2, 4]), [1, 2, 3, 4]), (([], [1]), [1]), (([1, 2, 3], [9]), [1, 9, 2, 3]),
        (([], []), []), (([5], [6, 7, 8]), [5, 6, 7, 8])],
       "def merge_alternating(a, b):\n    out = []\n    for i in range(max(len(a), len(b))):\n"
       "        if i < len(a):\n            out.append(a[i])\n        if i < len(b):\n"
       "            out.append(b[i])\n    return out",
       "function mergeAlternating(a, b) {\n  const out = [];\n"
       "  for (let i = 0; i < Math.max(a.length, b.length); i++) {\n"
       "    if (i < a.length) out.push(a[i]);\n    if (i < b.length) out.push(b[i]);\n  }\n"
       "  return out;\n}",
       "class Solution {\n  static int[] mergeAlternating(int[] a, int[] b) {\n"
       "    int[] out = new int[a.length + b.length];\n    int k = 0;\n"
       "    for (int i = 0; i < Math.max(a.length, b.length); i++) {\n"
       "      if (i < a.length) out[k++] = a[i];\n      if (i < b.length) out[k++] = b[i];\n"
       "    }\n    return out;\n  }\n}",
       "func mergeAlternating(a []int, b []int) []int {\n\tout := []int{}\n"
       "\tfor i := 0; i < len(a) || i < len(b); i++ {\n\t\tif i < len(a) {\n"
       "\t\t\tout = append(out, a[i])\n\t\t}\n\t\tif i < len(b) {\n\t\t\tout = append(out, b[i])\n"
       "\t\t}\n\t}\n\treturn out\n}",
       ts="function mergeAlternating(a: number[], b: number[]): number[] {\n"
          "  const out: number[] = [];\n"
          "  for (let i = 0; i < Math.max(a.length, b.length); i++) {\n"
          "    if (i < a.length) out.push(a[i]);\n    if (i < b.length) out.push(b[i]);\n  }\n"
          "  return out;\n}"),
    _l("chunk_sums", "lists", "chunk_sums(xs: list[int], k: int) -> list[int]",
       ["Split the list into consecutive groups of k and return the sum of each group; the "
        "last group may be shorter.", "Sum xs in blocks of k.",
        "Return the totals of each chunk of k elements."],
       [(([1, 2, 3, 4, 5], 2), [3, 7, 5]), (([], 3), []), (([1, 1, 1], 3), [3]),
        (([4], 2), [4]), (([1, 2, 3], 1), [1, 2, 3])],
       "def chunk_sums(xs, k):\n    return [sum(xs[i:i + k]) for i in range(0, len(xs), k)]",
       "function chunkSums(xs, k) {\n  const out = [];\n"
       "  for (let i = 0; i < xs.length; i += k) out.push(xs.slice(i, i + k).reduce((a, b) => "
       "a + b, 0));\n  return out;\n}",
       "class Solution {\n  static int[] chunkSums(int[] xs, int k) {\n"
       "    int[] out = new int[(xs.length + k - 1) / k];\n"
       "    for (int i = 0; i < xs.length; i++) out[i / k] += xs[i];\n    return out;\n  }\n}",
       "func chunkSums(xs []int, k int) []int {\n\tout := make([]int, (len(xs)+k-1)/k)\n"
       "\tfor i, x := range xs {\n\t\tout[i/k] += x\n\t}\n\treturn out\n}",
       ts="function chunkSums(xs: number[], k: number): number[] {\n  const out: number[] = [];\n"
          "  for (let i = 0; i < xs.length; i += k) out.push(xs.slice(i, i + k).reduce((a, b) => "
          "a + b, 0));\n  return out;\n}"),
    _l("all_equal", "lists", "all_equal(xs: list[int]) -> bool",
       ["Return true if every element of the list is the same (true for an empty list).",
        "Check whether all numbers in xs are equal.", "Are all entries of the list identical?"],
       [(([1, 1, 1],), True), (([],), True), (([1, 2],), False), (([5],), True),
        (([3, 3, 4, 3],), False)],
       "def all_equal(xs):\n    return len(set(xs)) <= 1",
       "function allEqual(xs) {\n  return xs.every((x) => x === xs[0]);\n}",
       "class Solution {\n  static boolean allEqual(int[] xs) {\n"
       "    for (int x : xs) if (x != xs[0]) return false;\n    return true;\n  }\n}",
       "func allEqual(xs []int) bool {\n\tfor _, x := range xs {\n\t\tif x != xs[0] {\n"
       "\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"),
    _l("is_sorted", "lists", "is_sorted(xs: list[int]) -> bool",
       ["Return true if the list is in non-decreasing order.",
        "Check whether xs is sorted ascending.", "Is each element at least the previous one?"],
       [(([1, 2, 2, 3],), True), (([3, 1],), False), (([],), True), (([5],), True),
        (([1, 3, 2],), False)],
       "def is_sorted(xs):\n    return all(a <= b for a, b in zip(xs, xs[1:]))",
       "function isSorted(xs) {\n  for (let i = 1; i < xs.length; i++) if (xs[i - 1] > xs[i]) "
       "return false;\n  return true;\n}",
       "class Solution {\n  static boolean isSorted(int[] xs) {\n"
       "    for (int i = 1; i < xs.length; i++) if (xs[i - 1] > xs[i]) return false;\n"
       "    return true;\n  }\n}",
       "func isSorted(xs []int) bool {\n\tfor i := 1; i < len(xs); i++ {\n"
       "\t\tif xs[i-1] > xs[i] {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"),
    _l("pairwise_sums", "lists", "pairwise_sums(xs: list[int]) -> list[int]",
       ["Return the sums of neighbouring pairs: xs[0]+xs[1], xs[1]+xs[2], ...",
        "Add each element to the next one.", "Compute adjacent sums of the list."],
       [(([1, 2, 3],), [3, 5]), (([],), []), (([4],), []), (([1, -1, 1],), [0, 0]),
        (([5, 5, 5, 5],), [10, 10, 10])],
       "def pairwise_sums(xs):\n    return [a + b for a, b in zip(xs, xs[1:])]",
       "function pairwiseSums(xs) {\n  const out = [];\n"
       "  for (let i = 1; i < xs.length; i++) out.push(xs[i - 1] + xs[i]);\n  return out;\n}",
       "class Solution {\n  static int[] pairwiseSums(int[] xs) {\n"
       "    int[] out = new int[Math.max(0, xs.length - 1)];\n"
       "    for (int i = 1; i < xs.length; i++) out[i - 1] = xs[i - 1] + xs[i];\n"
       "    return out;\n  }\n}",
       "func pairwiseSums(xs []int) []int {\n\tout := []int{}\n\tfor i := 1; i < len(xs); i++ {\n"
       "\t\tout = append(out, xs[i-1]+xs[i])\n\t}\n\treturn out\n}",
       ts="function pairwiseSums(xs: number[]): number[] {\n  const out: number[] = [];\n"
          "  for (let i = 1; i < xs.length; i++) out.push(xs[i - 1] + xs[i]);\n  return out;\n}"),
    _l("max_subarray_sum", "lists", "max_subarray_sum(xs: list[int]) -> int",
       ["Return the largest sum of a non-empty contiguous sub-list.",
        "Find the maximum subarray sum (Kadane's algorithm).",
        "What is the best total of consecutive elements of xs?"],
       [(([-2, 1, -3, 4, -1, 2, 1, -5, 4],), 6), (([1],), 1), (([-3, -1, -2],), -1),
        (([5, 4, -1, 7, 8],), 23), (([2, -1, 2],), 3)],
       "def max_subarray_sum(xs):\n    best = cur = xs[0]\n    for x in xs[1:]:\n"
       "        cur = max(x, cur + x)\n        best = max(best, cur)\n    return best",
       "function maxSubarraySum(xs) {\n  let best = xs[0], cur = xs[0];\n"
       "  for (let i = 1; i < xs.length; i++) {\n    cur = Math.max(xs[i], cur + xs[i]);\n"
       "    best = Math.max(best, cur);\n  }\n  return best;\n}",
       "class Solution {\n  static int maxSubarraySum(int[] xs) {\n"
       "    int best = xs[0], cur = xs[0];\n    for (int i = 1; i < xs.length; i++) {\n"
       "      cur = Math.max(xs[i], cur + xs[i]);\n      best = Math.max(best, cur);\n    }\n"
       "    return best;\n  }\n}",
       "func maxSubarraySum(xs []int) int {\n\tbest, cur := xs[0], xs[0]\n"
       "\tfor _, x := range xs[1:] {\n\t\tif cur+x > x {\n\t\t\tcur += x\n\t\t} else {\n"
       "\t\t\tcur = x\n\t\t}\n\t\tif cur > best {\n\t\t\tbest = cur\n\t\t}\n\t}\n\treturn best\n}"),
    _l("missing_number", "lists", "missing_number(xs: list[int]) -> int",
       ["The list holds n distinct numbers from 0..n; return the one that is missing.",
        "Find the missing value in a permutation of 0..n with one number removed.",
        "Which number of 0..len(xs) is absent from xs?"],
       [(([3, 0, 1],), 2), (([0],), 1), (([1],), 0), (([0, 1, 2, 4],), 3), (([],), 0)],
       "def missing_number(xs):\n    n = len(xs)\n    return n * (n + 1) // 2 - sum(xs)",
       "function missingNumber(xs) {\n  const n = xs.length;\n"
       "  return (n * (n + 1)) / 2 - xs.reduce((a, b) => a + b, 0);\n}",
       "class Solution {\n  static int missingNumber(int[] xs) {\n    int n = xs.length;\n"
       "    int s = n * (n + 1) / 2;\n    for (int x : xs) s -= x;\n    return s;\n  }\n}",
       "func missingNumber(xs []int) int {\n\tn := len(xs)\n\ts := n * (n + 1) / 2\n"
       "\tfor _, x := range xs {\n\t\ts -= x\n\t}\n\treturn s\n}"),
    _l("move_zeros", "lists", "move_zeros(xs: list[int]) -> list[int]",
       ["Move all zeros to the end of the list, keeping the order of the other elements.",
        "Return xs with its zeros pushed to the back.",
        "Put every 0 at the end while preserving the order of non-zero values."],
       [(([0, 1, 0, 3, 12],), [1, 3, 12, 0, 0]), (([],), []), (([0, 0],), [0, 0]),
        (([1, 2],), [1, 2]), (([0, -1],), [-1, 0])],
       "def move_zeros(xs):\n    return [x for x in xs if x != 0] + [0] * xs.count(0)",
       "function moveZeros(xs) {\n  const nz = xs.filter((x) => x !== 0);\n"
       "  return nz.concat(new Array(xs.length - nz.length).fill(0));\n}",
       "class Solution {\n  static int[] moveZeros(int[] xs) {\n"
       "    int[] out = new int[xs.length];\n    int k = 0;\n"
       "    for (int x : xs) if (x != 0) out[k++] = x;\n    return out;\n  }\n}",
       "func moveZeros(xs []int) []int {\n\tout := make([]int, len(xs))\n\tk := 0\n"
       "\tfor _, x := range xs {\n\t\tif x != 0 {\n\t\t\tout[k] = x\n\t\t\tk++\n\t\t}\n\t}\n"
       "\treturn out\n}"),
    _l("intersection", "lists", "intersection(a: list[int], b: list[int]) -> list[int]",
       ["Return the distinct values present in both lists, sorted ascending.",
        "Compute the sorted set intersection of a and b.",
        "Which numbers appear in both lists? Return them once each, in order."],
       [(([1, 2, 2, 3], [2, 3, 4]), [2, 3]), (([], [1]), []), (([5, 1], [1, 5]), [1, 5]),
        (([1, 2], [3, 4]), []), (([7, 7], [7]), [7])],
       "def intersection(a, b):\n    return sorted(set(a) & set(b))",
       "function intersection(a, b) {\n  const s = new Set(b);\n"
       "  return [...new Set(a)].filter((x) => s.has(x)).sort((x, y) => x - y);\n}",
       "class Solution {\n  static int[] intersection(int[] a, int[] b) {\n"
       "    java.util.Set<Integer> s = new java.util.HashSet<>();\n    for (int x : b) s.add(x);\n"
       "    return java.util.Arrays.stream(a).distinct().filter(s::contains).sorted().toArray();\n"
       "  }\n}",
       "import \"sort\"\n\nfunc intersection(a []int, b []int) []int {\n\tinB := map[int]bool{}\n"
       "\tfor _, x := range b {\n\t\tinB[x] = true\n\t}\n\tout := []int{}\n"
       "\tfor _, x := range a {\n\t\tif inB[x] {\n\t\t\tout = append(out, x)\n"
       "\t\t\tinB[x] = false\n\t\t}\n\t}\n\tsort.Ints(out)\n\treturn out\n}"),
    _l("union_sorted", "lists", "union_sorted(a: list[int], b: list[int]) -> list[int]",
       ["Return every distinct value from either list, sorted ascending.",
        "Compute the sorted union of two lists.", "Merge a and b into sorted unique values."],
       [(([3, 1], [2, 3]), [1, 2, 3]), (([], []), []), (([5], []), [5]),
        (([2, 2], [2]), [2]), (([-1, 4], [0]), [-1, 0, 4])],
       "def union_sorted(a, b):\n    return sorted(set(a) | set(b))",
       "function unionSorted(a, b) {\n  return [...new Set([...a, ...b])].sort((x, y) => "
       "x - y);\n}",
       "class Solution {\n  static int[] unionSorted(int[] a, int[] b) {\n"
       "    return java.util.stream.IntStream.concat(java.util.Arrays.stream(a), "
       "java.util.Arrays.stream(b)).distinct().sorted().toArray();\n  }\n}",
       "import \"sort\"\n\nfunc unionSorted(a []int, b []int) []int {\n\tseen := map[int]bool{}\n"
       "\tout := []int{}\n\tfor _, x := range append(append([]int{}, a...), b...) {\n"
       "\t\tif !seen[x] {\n\t\t\tseen[x] = true\n\t\t\tout = append(out, x)\n\t\t}\n\t}\n"
       "\tsort.Ints(out)\n\treturn out\n}"),
    _l("most_frequent", "maps", "most_frequent(xs: list[int]) -> int",
       ["Return the value that occurs most often in a non-empty list; on ties the one that "
        "appears first.", "Find the mode of xs (earliest on ties).",
        "Which number is repeated the most?"],
       [(([1, 3, 3, 2],), 3), (([5],), 5), (([1, 2, 2, 1],), 1), (([4, 4, 4, 1, 1],), 4),
        (([7, 8, 9],), 7)],
       "def most_frequent(xs):\n    counts = {}\n    for x in xs:\n"
       "        counts[x] = counts.get(x, 0) + 1\n    best = xs[0]\n    for x in xs:\n"
       "        if counts[x] > counts[best]:\n            best = x\n    return best",
       "function mostFrequent(xs) {\n  const c = new Map();\n"
       "  for (const x of xs) c.set(x, (c.get(x) || 0) + 1);\n  let best = xs[0];\n"
       "  for (const x of xs) if (c.get(x) > c.get(best)) best = x;\n  return best;\n}",
       "class Solution {\n  static int mostFrequent(int[] xs) {\n"
       "    java.util.Map<Integer, Integer> c = new java.util.HashMap<>();\n"
       "    for (int x : xs) c.merge(x, 1, Integer::sum);\n    int best = xs[0];\n"
       "    for (int x : xs) if (c.get(x) > c.get(best)) best = x;\n    return best;\n  }\n}",
       "func mostFrequent(xs []int) int {\n\tc := map[int]int{}\n\tfor _, x := range xs {\n"
       "\t\tc[x]++\n\t}\n\tbest := xs[0]\n\tfor _, x := range xs {\n\t\tif c[x] > c[best] {\n"
       "\t\t\tbest = x\n\t\t}\n\t}\n\treturn best\n}",
       ts="function mostFrequent(xs: number[]): number {\n  const c = new Map<number, number>();\n"
          "  for (const x of xs) c.set(x, (c.get(x) || 0) + 1);\n  let best = xs[0];\n"
          "  for (const x of xs) if (c.get(x)! > c.get(best)!) best = x;\n  return best;\n}"),
    _l("count_distinct", "maps", "count_distinct(xs: list[int]) -> int",
       ["Return how many distinct values are in the list.", "Count unique numbers in xs.",
        "How many different values does the list contain?"],
       [(([1, 2, 2, 3],), 3), (([],), 0), (([5, 5, 5],), 1), (([1, -1],), 2),
        (([0, 1, 2, 3, 4],), 5)],
       "def count_distinct(xs):\n    return len(set(xs))",
       "function countDistinct(xs) {\n  return new Set(xs).size;\n}",
       "class Solution {\n  static int countDistinct(int[] xs) {\n"
       "    return (int) java.util.Arrays.stream(xs).distinct().count();\n  }\n}",
       "func countDistinct(xs []int) int {\n\tseen := map[int]bool{}\n\tfor _, x := range xs {\n"
       "\t\tseen[x] = true\n\t}\n\treturn len(seen)\n}"),
    _l("two_sum", "maps", "two_sum(xs: list[int], target: int) -> list[int]",
       ["Return the indices [i, j] (i < j) of the first pair of numbers that add up to the "
        "target, or an empty list.", "Find two positions whose values sum to target.",
        "Solve two-sum: which two indices of xs give target?"],
       [(([2, 7, 11, 15], 9), [0, 1]), (([3, 2, 4], 6), [1, 2]), (([1, 2], 7), []),
        (([3, 3], 6), [0, 1]), (([], 1), [])],
       "def two_sum(xs, target):\n    seen = {}\n    for j, x in enumerate(xs):\n"
       "        if target - x in seen:\n            return [seen[target - x], j]\n"
       "        seen.setdefault(x, j)\n    return []",
       "function twoSum(xs, target) {\n  const seen = new Map();\n"
       "  for (let j = 0; j < xs.length; j++) {\n"
       "    if (seen.has(target - xs[j])) return [seen.get(target - xs[j]), j];\n"
       "    if (!seen.has(xs[j])) seen.set(xs[j], j);\n  }\n  return [];\n}",
       "class Solution {\n  static int[] twoSum(int[] xs, int target) {\n"
       "    java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();\n"
       "    for (int j = 0; j < xs.length; j++) {\n"
       "      Integer i = seen.get(target - xs[j]);\n      if (i != null) return new int[]{i, j};\n"
       "      seen.putIfAbsent(xs[j], j);\n    }\n    return new int[0];\n  }\n}",
       "func twoSum(xs []int, target int) []int {\n\tseen := map[int]int{}\n"
       "\tfor j, x := range xs {\n\t\tif i, ok := seen[target-x]; ok {\n"
       "\t\t\treturn []int{i, j}\n\t\t}\n\t\tif _, ok := seen[x]; !ok {\n\t\t\tseen[x] = j\n"
       "\t\t}\n\t}\n\treturn []int{}\n}",
       ts="function twoSum(xs: number[], target: number): number[] {\n"
          "  const seen = new Map<number, number>();\n"
          "  for (let j = 0; j < xs.length; j++) {\n"
          "    if (seen.has(target - xs[j])) return [seen.get(target - xs[j])!, j];\n"
          "    if (!seen.has(xs[j])) seen.set(xs[j], j);\n  }\n  return [];\n}"),
    _l("has_duplicate", "maps", "has_duplicate(xs: list[int]) -> bool",
       ["Return true if any value appears at least twice in the list.",
        "Check whether xs contains a repeated number.", "Does the list have duplicates?"],
       [(([1, 2, 3, 1],), True), (([1, 2, 3],), False), (([],), False), (([0, 0],), True),
        (([5, -5],), False)],
       "def has_duplicate(xs):\n    return len(set(xs)) != len(xs)",
       "function hasDuplicate(xs) {\n  return new Set(xs).size !== xs.length;\n}",
       "class Solution {\n  static boolean hasDuplicate(int[] xs) {\n"
       "    java.util.Set<Integer> s = new java.util.HashSet<>();\n"
       "    for (int x : xs) if (!s.add(x)) return true;\n    return false;\n  }\n}",
       "func hasDuplicate(xs []int) bool {\n\tseen := map[int]bool{}\n\tfor _, x := range xs {\n"
       "\t\tif seen[x] {\n\t\t\treturn true\n\t\t}\n\t\tseen[x] = true\n\t}\n\treturn false\n}"),
    _l("word_frequency", "maps", "word_frequency(text: str, word: str) -> int",
       ["Return how many times word occurs among the space-separated words of text, "
        "ignoring case.", "Count a word in a sentence, case-insensitively.",
        "How often does word appear in text?"],
       [(("the cat and the hat", "the"), 2), (("", "a"), 0), (("Dog dog DOG", "dog"), 3),
        (("abc", "ab"), 0), (("x y x", "y"), 1)],
       "def word_frequency(text, word):\n    counts = {}\n    for w in text.lower().split():\n"
       "        counts[w] = counts.get(w, 0) + 1\n    return counts.get(word.lower(), 0)",
       "function wordFrequency(text, word) {\n  const counts = new Map();\n"
       "  for (const w of text.toLowerCase().split(/\\s+/)) if (w) counts.set(w, "
       "(counts.get(w) || 0) + 1);\n  return counts.get(word.toLowerCase()) || 0;\n}",
       "class Solution {\n  static int wordFrequency(String text, String word) {\n"
       "    java.util.Map<String, Integer> c = new java.util.HashMap<>();\n"
       "    for (String w : text.toLowerCase().split(\"\\\\s+\")) if (!w.isEmpty()) "
       "c.merge(w, 1, Integer::sum);\n    return c.getOrDefault(word.toLowerCase(), 0);\n  }\n}",
       "import \"strings\"\n\nfunc wordFrequency(text string, word string) int {\n"
       "\tcounts := map[string]int{}\n\tfor _, w := range strings.Fields(strings.ToLower(text)) {\n"
       "\t\tcounts[w]++\n\t}\n\treturn counts[strings.ToLower(word)]\n}"),
    _l("length_histogram", "maps", "length_histogram(words: list[str]) -> list[int]",
       ["Return a list h where h[k] is the number of words of length k, up to the longest "
        "word.", "Build a histogram of word lengths.",
        "Count words by length; index k holds the count of words with k letters."],
       [((["a", "bb", "cc", "ddd"],), [0, 1, 2, 1]), (([],), [0]), ((["", "x"],), [1, 1]),
        ((["abc"],), [0, 0, 0, 1]), ((["hi", "yo"],), [0, 0, 2])],
       "def length_histogram(words):\n    longest = max((len(w) for w in words), default=0)\n"
       "    h = [0] * (longest + 1)\n    for w in words:\n        h[len(w)] += 1\n    return h",
       "function lengthHistogram(words) {\n"
       "  const longest = words.reduce((m, w) => Math.max(m, w.length), 0);\n"
       "  const h = new Array(longest + 1).fill(0);\n  for (const w of words) h[w.length]++;\n"
       "  return h;\n}",
       "class Solution {\n  static int[] lengthHistogram(String[] words) {\n    int longest = 0;\n"
       "    for (String w : words) longest = Math.max(longest, w.length());\n"
       "    int[] h = new int[longest + 1];\n    for (String w : words) h[w.length()]++;\n"
       "    return h;\n  }\n}",
       "func lengthHistogram(words []string) []int {\n\tlongest := 0\n"
       "\tfor _, w := range words {\n\t\tif len(w) > longest {\n\t\t\tlongest = len(w)\n\t\t}\n"
       "\t}\n\th := make([]int, longest+1)\n\tfor _, w := range words {\n\t\th[len(w)]++\n\t}\n"
       "\treturn h\n}"),
    _l("first_repeated", "maps", "first_repeated(xs: list[int]) -> int",
       ["Return the first value whose second occurrence comes earliest, or -1 if none "
        "repeats.", "Find the first number seen twice while scanning xs.",
        "Scan the list and return the first element that was already seen."],
       [(([2, 1, 3, 1, 2],), 1), (([1, 2, 3],), -1), (([],), -1), (([5, 5],), 5),
        (([4, 3, 4, 3],), 4)],
       "def first_repeated(xs):\n    seen = set()\n    for x in xs:\n        if x in seen:\n"
       "            return x\n        seen.add(x)\n    return -1",
       "function firstRepeated(xs) {\n  const seen = new Set();\n"
       "  for (const x of xs) {\n    if (seen.has(x)) return x;\n    seen.add(x);\n  }\n"
       "  return -1;\n}",
       "class Solution {\n  static int firstRepeated(int[] xs) {\n"
       "    java.util.Set<Integer> seen = new java.util.HashSet<>();\n"
       "    for (int x : xs) if (!seen.add(x)) return x;\n    return -1;\n  }\n}",
       "func firstRepeated(xs []int) int {\n\tseen := map[int]bool{}\n\tfor _, x := range xs {\n"
       "\t\tif seen[x] {\n\t\t\treturn x\n\t\t}\n\t\tseen[x] = true\n\t}\n\treturn -1\n}"),
    _l("unique_words_sorted", "maps", "unique_words_sorted(text: str) -> list[str]",
       ["Return the distinct lower-case words of the text, sorted alphabetically.",
        "List the unique words of a sentence in sorted order, ignoring case.",
        "Which different words does text contain? Lower-case and sort them."],
       [(("b a B c",), ["a", "b", "c"]), (("",), []), (("Hello hello",), ["hello"]),
        (("z y x",), ["x", "y", "z"]), (("one",), ["one"])],
       "def unique_words_sorted(text):\n    return sorted(set(text.lower().split()))",
       "function uniqueWordsSorted(text) {\n  return [...new Set(text.toLowerCase().split(/\\s+/)"
       ".filter((w) => w))].sort();\n}",
       "class Solution {\n  static String[] uniqueWordsSorted(String text) {\n"
       "    return java.util.Arrays.stream(text.toLowerCase().split(\"\\\\s+\"))"
       ".filter(w -> !w.isEmpty()).distinct().sorted().toArray(String[]::new);\n  }\n}",
       "import (\n\t\"sort\"\n\t\"strings\"\n)\n\nfunc uniqueWordsSorted(text string) []string {\n"
       "\tseen := map[string]bool{}\n\tout := []string{}\n"
       "\tfor _, w := range strings.Fields(strings.ToLower(text)) {\n\t\tif !seen[w] {\n"
       "\t\t\tseen[w] = true\n\t\t\tout = append(out, w)\n\t\t}\n\t}\n\tsort.Strings(out)\n"
       "\treturn out\n}"),
    _l("sum_unique", "maps", "sum_unique(xs: list[int]) -> int",
       ["Return the sum of the values that appear exactly once in the list.",
        "Add up the non-repeated elements of xs.",
        "Sum the numbers whose count in the list is one."],
       [(([1, 2, 3, 2],), 4), (([],), 0), (([1, 1],), 0), (([5, 6, 7],), 18),
        (([4, 4, 5],), 5)],
       "def sum_unique(xs):\n    counts = {}\n    for x in xs:\n"
       "        counts[x] = counts.get(x, 0) + 1\n"
       "    return sum(x for x, c in counts.items() if c == 1)",
       "function sumUnique(xs) {\n  const c = new Map();\n"
       "  for (const x of xs) c.set(x, (c.get(x) || 0) + 1);\n  let s = 0;\n"
       "  for (const [x, n] of c) if (n === 1) s += x;\n  return s;\n}",
       "class Solution {\n  static int sumUnique(int[] xs) {\n"
       "    java.util.Map<Integer, Integer> c = new java.util.HashMap<>();\n"
       "    for (int x : xs) c.merge(x, 1, Integer::sum);\n    int s = 0;\n"
       "    for (var e : c.entrySet()) if (e.getValue() == 1) s += e.getKey();\n"
       "    return s;\n  }\n}",
       "func sumUnique(xs []int) int {\n\tc := map[int]int{}\n\tfor _, x := range xs {\n"
       "\t\tc[x]++\n\t}\n\ts := 0\n\tfor x, n := range c {\n\t\tif n == 1 {\n\t\t\ts += x\n"
       "\t\t}\n\t}\n\treturn s\n}",
       ts="function sumUnique(xs: number[]): number {\n  const c = new Map<number, number>();\n"
          "  for (const x of xs) c.set(x, (c.get(x) || 0) + 1);\n  let s = 0;\n"
          "  for (const [x, n] of c) if (n === 1) s += x;\n  return s;\n}"),
    _l("roman_to_int", "maps", "roman_to_int(s: str) -> int",
       ["Convert a Roman numeral to an integer.", "Return the value of the Roman numeral s.",
        "Parse Roman numerals such as \"XIV\" into numbers."],
       [(("III",), 3), (("IV",), 4), (("IX",), 9), (("LVIII",), 58), (("MCMXCIV",), 1994)],
       "def roman_to_int(s):\n    values = {\"I\": 1, \"V\": 5, \"X\": 10, \"L\": 50, \"C\": 100, "
       "\"D\": 500, \"M\": 1000}\n    total = 0\n    for i, c in enumerate(s):\n"
       "        v = values[c]\n        if i + 1 < len(s) and values[s[i + 1]] > v:\n"
       "            total -= v\n        else:\n            total += v\n    return total",
       "function romanToInt(s) {\n  const v = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, "
       "M: 1000 };\n  let t = 0;\n  for (let i = 0; i < s.length; i++) {\n"
       "    if (i + 1 < s.length && v[s[i + 1]] > v[s[i]]) t -= v[s[i]];\n    else t += v[s[i]];\n"
       "  }\n  return t;\n}",
       "class Solution {\n  static int romanToInt(String s) {\n"
       "    java.util.Map<Character, Integer> v = java.util.Map.of('I', 1, 'V', 5, 'X', 10, "
       "'L', 50, 'C', 100, 'D', 500, 'M', 1000);\n    int t = 0;\n"
       "    for (int i = 0; i < s.length(); i++) {\n      int x = v.get(s.charAt(i));\n"
       "      if (i + 1 < s.length() && v.get(s.charAt(i + 1)) > x) t -= x; else t += x;\n"
       "    }\n    return t;\n  }\n}",
       "func romanToInt(s string) int {\n\tv := map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, "
       "'C': 100, 'D': 500, 'M': 1000}\n\tt := 0\n\tfor i := 0; i < len(s); i++ {\n"
       "\t\tif i+1 < len(s) && v[s[i+1]] > v[s[i]] {\n\t\t\tt -= v[s[i]]\n\t\t} else {\n"
       "\t\t\tt += v[s[i]]\n\t\t}\n\t}\n\treturn t\n}",
       ts="function romanToInt(s: string): number {\n"
          "  const v: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, "
          "M: 1000 };\n  let t = 0;\n  for (let i = 0; i < s.length; i++) {\n"
          "    if (i + 1 < s.length && v[s[i + 1]] > v[s[i]]) t -= v[s[i]];\n    else t += v[s[i]];\n"
          "  }\n  return t;\n}"),
    _l("int_to_roman", "maps", "int_to_roman(n: int) -> str",
       ["Convert a positive integer below 4000 to a Roman numeral.",
        "Write n in Roman numerals.", "Return the Roman numeral for n."],
       [((3,), "III"), ((4,), "IV"), ((9,), "IX"), ((58,), "LVIII"), ((1994,), "MCMXCIV")],
       "def int_to_roman(n):\n    table = [(1000, \"M\"), (900, \"CM\"), (500, \"D\"), "
       "(400, \"CD\"), (100, \"C\"), (90, \"XC\"), (50, \"L\"), (40, \"XL\"), (10, \"X\"), "
       "(9, \"IX\"), (5, \"V\"), (4, \"IV\"), (1, \"I\")]\n    out = \"\"\n"
       "    for value, sym in table:\n        while n >= value:\n            out += sym\n"
       "            n -= value\n    return out",
       "function intToRoman(n) {\n  const t = [[1000, \"M\"], [900, \"CM\"], [500, \"D\"], "
       "[400, \"CD\"], [100, \"C\"], [90, \"XC\"], [50, \"L\"], [40, \"XL\"], [10, \"X\"], "
       "[9, \"IX\"], [5, \"V\"], [4, \"IV\"], [1, \"I\"]];\n  let out = \"\";\n"
       "  for (const [v, s] of t) while (n >= v) { out += s; n -= v; }\n  return out;\n}",
       "class Solution {\n  static String intToRoman(int n) {\n"
       "    int[] v = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};\n"
       "    String[] s = {\"M\", \"CM\", \"D\", \"CD\", \"C\", \"XC\", \"L\", \"XL\", \"X\", \"IX\", "
       "\"V\", \"IV\", \"I\"};\n    StringBuilder b = new StringBuilder();\n"
       "    for (int i = 0; i < v.length; i++) while (n >= v[i]) { b.append(s[i]); n -= v[i]; }\n"
       "    return b.toString();\n  }\n}",
       "func intToRoman(n int) string {\n"
       "\tv := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}\n"
       "\ts := []string{\"M\", \"CM\", \"D\", \"CD\", \"C\", \"XC\", \"L\", \"XL\", \"X\", \"IX\", "
       "\"V\", \"IV\", \"I\"}\n\tout := \"\"\n\tfor i := range v {\n\t\tfor n >= v[i] {\n"
       "\t\t\tout += s[i]\n\t\t\tn -= v[i]\n\t\t}\n\t}\n\treturn out\n}",
       ts="function intToRoman(n: number): string {\n"
          "  const t: [number, string][] = [[1000, \"M\"], [900, \"CM\"], [500, \"D\"], "
          "[400, \"CD\"], [100, \"C\"], [90, \"XC\"], [50, \"L\"], [40, \"XL\"], [10, \"X\"], "
          "[9, \"IX\"], [5, \"V\"], [4, \"IV\"], [1, \"I\"]];\n  let out = \"\";\n"
          "  for (const [v, s] of t) while (n >= v) { out += s; n -= v; }\n  return out;\n}"),
    _l("letters_by_frequency", "maps", "letters_by_frequency(s: str) -> str",
       ["Return the distinct characters of s ordered by how often they occur (most first), "
        "ties broken alphabetically.", "Sort the unique characters of s by frequency.",
        "List each character of s once, most frequent first."],
       [(("tree",), "ert"), (("",), ""), (("aabbbc",), "bac"), (("abc",), "abc"),
        (("zzyy",), "yz")],
       "def letters_by_frequency(s):\n    counts = {}\n    for c in s:\n"
       "        counts[c] = counts.get(c, 0) + 1\n"
       "    return \"\".join(sorted(counts, key=lambda c: (-counts[c], c)))",
       "function lettersByFrequency(s) {\n  const c = new Map();\n"
       "  for (const ch of s) c.set(ch, (c.get(ch) || 0) + 1);\n"
       "  return [...c.keys()].sort((a, b) => c.get(b) - c.get(a) || (a < b ? -1 : 1))"
       ".join(\"\");\n}",
       "class Solution {\n  static String lettersByFrequency(String s) {\n"
       "    java.util.Map<Character, Integer> c = new java.util.TreeMap<>();\n"
       "    for (char ch : s.toCharArray()) c.merge(ch, 1, Integer::sum);\n"
       "    java.util.List<Character> keys = new java.util.ArrayList<>(c.keySet());\n"
       "    keys.sort((a, b) -> c.get(b) - c.get(a) != 0 ? c.get(b) - c.get(a) : a - b);\n"
       "    StringBuilder out = new StringBuilder();\n    for (char k : keys) out.append(k);\n"
       "    return out.toString();\n  }\n}",
       "import \"sort\"\n\nfunc lettersByFrequency(s string) string {\n\tc := map[rune]int{}\n"
       "\tfor _, ch := range s {\n\t\tc[ch]++\n\t}\n\tkeys := []rune{}\n\tfor k := range c {\n"
       "\t\tkeys = append(keys, k)\n\t}\n\tsort.Slice(keys, func(i, j int) bool {\n"
       "\t\tif c[keys[i]] != c[keys[j]] {\n\t\t\treturn c[keys[i]] > c[keys[j]]\n\t\t}\n"
       "\t\treturn keys[i] < keys[j]\n\t})\n\treturn string(keys)\n}",
       ts="function lettersByFrequency(s: string): string {\n"
          "  const c = new Map<string, number>();\n"
          "  for (const ch of s) c.set(ch, (c.get(ch) || 0) + 1);\n"
          "  return [...c.keys()].sort((a, b) => c.get(b)! - c.get(a)! || (a < b ? -1 : 1))"
          ".join(\"\");\n}"),
    _l("is_isomorphic", "maps", "is_isomorphic(a: str, b: str) -> bool",
       ["Return true if the characters of a can be replaced one-to-one to get b.",
        "Check whether two strings are isomorphic.",
        "Is there a consistent character mapping from a onto b in both directions?"],
       [(("egg", "add"), True), (("foo", "bar"), False), (("paper", "title"), True),
        (("", ""), True), (("ab", "aa"), False)],
       "def is_isomorphic(a, b):\n    if len(a) != len(b):\n        return False\n"
       "    fwd, back = {}, {}\n    for x, y in zip(a, b):\n"
       "        if fwd.setdefault(x, y) != y or back.setdefault(y, x) != x:\n"
       "            return False\n    return True",
       "function isIsomorphic(a, b) {\n  if (a.length !== b.length) return false;\n"
       "  const f = new Map(), r = new Map();\n  for (let i = 0; i < a.length; i++) {\n"
       "    if ((f.has(a[i]) && f.get(a[i]) !== b[i]) || (r.has(b[i]) && r.get(b[i]) !== a[i])) "
       "return false;\n    f.set(a[i], b[i]);\n    r.set(b[i], a[i]);\n  }\n  return true;\n}",
       "class Solution {\n  static boolean isIsomorphic(String a, String b) {\n"
       "    if (a.length() != b.length()) return false;\n"
       "    java.util.Map<Character, Character> f = new java.util.HashMap<>(), "
       "r = new java.util.HashMap<>();\n    for (int i = 0; i < a.length(); i++) {\n"
       "      char x = a.charAt(i), y = b.charAt(i);\n"
       "      if (f.getOrDefault(x, y) != y || r.getOrDefault(y, x) != x) return false;\n"
       "      f.put(x, y);\n      r.put(y, x);\n    }\n    return true;\n  }\n}",
       "func isIsomorphic(a string, b string) bool {\n\tif len(a) != len(b) {\n"
       "\t\treturn false\n\t}\n\tf, r := map[byte]byte{}, map[byte]byte{}\n"
       "\tfor i := 0; i < len(a); i++ {\n\t\tx, y := a[i], b[i]\n"
       "\t\tif v, ok := f[x]; ok && v != y {\n\t\t\treturn false\n\t\t}\n"
       "\t\tif v, ok := r[y]; ok && v != x {\n\t\t\treturn false\n\t\t}\n\t\tf[x] = y\n"
       "\t\tr[y] = x\n\t}\n\treturn true\n}"),
    _l("majority_element", "maps", "majority_element(xs: list[int]) -> int",
       ["Return the value that occurs more than half the time, or -1 if none does.",
        "Find the majority element of xs.", "Which number fills over 50% of the list?"],
       [(([3, 2, 3],), 3), (([1, 2],), -1), (([2, 2, 1, 1, 2],), 2), (([],), -1),
        (([7],), 7)],
       "def majority_element(xs):\n    counts = {}\n    for x in xs:\n"
       "        counts[x] = counts.get(x, 0) + 1\n        if counts[x] * 2 > len(xs):\n"
       "            return x\n    return -1",
       "function majorityElement(xs) {\n  const c = new Map();\n  for (const x of xs) {\n"
       "    c.set(x, (c.get(x) || 0) + 1);\n    if (c.get(x) * 2 > xs.length) return x;\n  }\n"
       "  return -1;\n}",
       "class Solution {\n  static int majorityElement(int[] xs) {\n"
       "    java.util.Map<Integer, Integer> c = new java.util.HashMap<>();\n"
       "    for (int x : xs) if (c.merge(x, 1, Integer::sum) * 2 > xs.length) return x;\n"
       "    return -1;\n  }\n}",
       "func majorityElement(xs []int) int {\n\tc := map[int]int{}\n\tfor _, x := range xs {\n"
       "\t\tc[x]++\n\t\tif c[x]*2 > len(xs) {\n\t\t\treturn x\n\t\t}\n\t}\n\treturn -1\n}",
       ts="function majorityElement(xs: number[]): number {\n  const c = new Map<number, number>();\n"
          "  for (const x of xs) {\n    c.set(x, (c.get(x) || 0) + 1);\n"
          "    if (c.get(x)! * 2 > xs.length) return x;\n  }\n  return -1;\n}"),
    _l("count_pairs_with_sum", "maps", "count_pairs_with_sum(xs: list[int], target: int) -> int",
       ["Return how many index pairs i < j have xs[i] + xs[j] equal to target.",
        "Count pairs of positions whose values add up to target.",
        "How many pairs in the list sum to the target?"],
       [(([1, 2, 3, 4], 5), 2), (([1, 1, 1], 2), 3), (([], 0), 0), (([5], 10), 0),
        (([0, 0, 0, 0], 0), 6)],
       "def count_pairs_with_sum(xs, target):\n    seen, count = {}, 0\n    for x in xs:\n"
       "        count += seen.get(target - x, 0)\n        seen[x] = seen.get(x, 0) + 1\n"
       "    return count",
       "function countPairsWithSum(xs, target) {\n  const seen = new Map();\n  let count = 0;\n"
       "  for (const x of xs) {\n    count += seen.get(target - x) || 0;\n"
       "    seen.set(x, (seen.get(x) || 0) + 1);\n  }\n  return count;\n}",
       "class Solution {\n  static int countPairsWithSum(int[] xs, int target) {\n"
       "    java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();\n    int count = 0;\n"
       "    for (int x : xs) {\n      count += seen.getOrDefault(target - x, 0);\n"
       "      seen.merge(x, 1, Integer::sum);\n    }\n    return count;\n  }\n}",
       "func countPairsWithSum(xs []int, target int) int {\n\tseen := map[int]int{}\n"
       "\tcount := 0\n\tfor _, x := range xs {\n\t\tcount += seen[target-x]\n\t\tseen[x]++\n\t}\n"
       "\treturn count\n}"),
    _l("count_anagram_groups", "maps", "count_anagram_groups(words: list[str]) -> int",
       ["Return how many groups of mutual anagrams the words form.",
        "Group the words by their sorted letters and count the groups.",
        "How many distinct anagram classes are in the list?"],
       [((["eat", "tea", "tan", "ate", "nat", "bat"],), 3), (([],), 0), ((["a"],), 1),
        ((["ab", "ba", "abc"],), 2), ((["x", "y", "z"],), 3)],
       "def count_anagram_groups(words):\n    return len({\"\".join(sorted(w)) for w in words})",
       "function countAnagramGroups(words) {\n"
       "  return new Set(words.map((w) => w.split(\"\").sort().join(\"\"))).size;\n}",
       "class Solution {\n  static int countAnagramGroups(String[] words) {\n"
       "    java.util.Set<String> keys = new java.util.HashSet<>();\n    for (String w : words) {\n"
       "      char[] c = w.toCharArray();\n      java.util.Arrays.sort(c);\n"
       "      keys.add(new String(c));\n    }\n    return keys.size();\n  }\n}",
       "import \"sort\"\n\nfunc countAnagramGroups(words []string) int {\n"
       "\tkeys := map[string]bool{}\n\tfor _, w := range words {\n\t\tb := []byte(w)\n"
       "\t\tsort.Slice(b, func(i, j int) bool { return b[i] < b[j] })\n"
       "\t\tkeys[string(b)] = true\n\t}\n\treturn len(keys)\n}"),
    _l("zip_names_scores", "lists", "zip_names_scores(names: list[str], scores: list[int]) -> list[str]",
       ["Pair names with scores into strings \"name:score\".",
        "Combine two parallel lists into \"name:score\" entries.",
        "Return name + \":\" + score for each position of the two lists."],
       [((["ann", "bob"], [3, 5]), ["ann:3", "bob:5"]), (([], []), []),
        ((["x"], [0]), ["x:0"]), ((["a", "b", "c"], [1, 2, 3]), ["a:1", "b:2", "c:3"]),
        ((["neg"], [-4]), ["neg:-4"])],
       "def zip_names_scores(names, scores):\n"
       "    return [f\"{n}:{s}\" for n, s in zip(names, scores)]",
       "function zipNamesScores(names, scores) {\n"
       "  return names.map((n, i) => n + \":\" + scores[i]);\n}",
       "class Solution {\n  static String[] zipNamesScores(String[] names, int[] scores) {\n"
       "    String[] out = new String[names.length];\n"
       "    for (int i = 0; i < names.length; i++) out[i] = names[i] + \":\" + scores[i];\n"
       "    return out;\n  }\n}",
       "import \"fmt\"\n\nfunc zipNamesScores(names []string, scores []int) []string {\n"
       "\tout := []string{}\n\tfor i, n := range names {\n"
       "\t\tout = append(out, fmt.Sprintf(\"%s:%d\", n, scores[i]))\n\t}\n\treturn out\n}"),
]
