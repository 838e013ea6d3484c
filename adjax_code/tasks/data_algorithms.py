"""Sorting, searching and small algorithms."""

from adjax_code.tasks import entry as _a

TASKS = [
    _a("sort_ascending", "sorting", "sort_ascending(xs: list[int]) -> list[int]",
       ["Return the list sorted in ascending order.", "Sort the numbers from small to large.",
        "Give a sorted copy of xs."],
       [(([3, 1, 2],), [1, 2, 3]), (([],), []), (([5, -1, 5],), [-1, 5, 5]), (([1],), [1]),
        (([9, 8, 7, 6],), [6, 7, 8, 9])],
       "def sort_ascending(xs):\n    return sorted(xs)",
       "function sortAscending(xs) {\n  return [...xs].sort((a, b) => a - b);\n}",
       "class Solution {\n  static int[] sortAscending(int[] xs) {\n"
       "    int[] out = xs.clone();\n    java.util.Arrays.sort(out);\n    return out;\n  }\n}",
       "import \"sort\"\n\nfunc sortAscending(xs []int) []int {\n"
       "\tout := append([]int{}, xs...)\n\tsort.Ints(out)\n\treturn out\n}"),
    _a("sort_descending", "sorting", "sort_descending(xs: list[int]) -> list[int]",
       ["Return the list sorted from largest to smallest.", "Sort xs in descending order.",
        "Order the numbers biggest first."],
       [(([3, 1, 2],), [3, 2, 1]), (([],), []), (([5, -1, 5],), [5, 5, -1]), (([1],), [1]),
        (([6, 7, 8],), [8, 7, 6])],
       "def sort_descending(xs):\n    return sorted(xs, reverse=True)",
       "function sortDescending(xs) {\n  return [...xs].sort((a, b) => b - a);\n}",
       "class Solution {\n  static int[] sortDescending(int[] xs) {\n"
       "    int[] out = xs.clone();\n    java.util.Arrays.sort(out);\n"
       "    for (int i = 0, j = out.length - 1; i < j; i++, j--) { int t = out[i]; "
       "out[i] = out[j]; out[j] = t; }\n    return out;\n  }\n}",
       "import \"sort\"\n\nfunc sortDescending(xs []int) []int {\n"
       "\tout := append([]int{}, xs...)\n\tsort.Sort(sort.Reverse(sort.IntSlice(out)))\n"
       "\treturn out\n}"),
    _a("bubble_sort_swaps", "sorting", "bubble_sort_swaps(xs: list[int]) -> int",
       ["Return how many swaps bubble sort makes to sort the list ascending.",
        "Count the adjacent swaps needed to sort xs (the number of inversions).",
        "How many inversions does the list have?"],
       [(([3, 2, 1],), 3), (([1, 2, 3],), 0), (([],), 0), (([2, 1, 3, 1],), 3),
        (([5, 1, 4, 2, 8],), 4)],
       "def bubble_sort_swaps(xs):\n    return sum(1 for i in range(len(xs)) "
       "for j in range(i + 1, len(xs)) if xs[i] > xs[j])",
       "function bubbleSortSwaps(xs) {\n  let n = 0;\n"
       "  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) "
       "if (xs[i] > xs[j]) n++;\n  return n;\n}",
       "class Solution {\n  static int bubbleSortSwaps(int[] xs) {\n    int n = 0;\n"
       "    for (int i = 0; i < xs.length; i++) for (int j = i + 1; j < xs.length; j++) "
       "if (xs[i] > xs[j]) n++;\n    return n;\n  }\n}",
       "func bubbleSortSwaps(xs []int) int {\n\tn := 0\n\tfor i := range xs {\n"
       "\t\tfor j := i + 1; j < len(xs); j++ {\n\t\t\tif xs[i] > xs[j] {\n\t\t\t\tn++\n"
       "\t\t\t}\n\t\t}\n\t}\n\treturn n\n}"),
    _a("sort_by_length", "sorting", "sort_by_length(words: list[str]) -> list[str]",
       ["Sort the words by length, shortest first, keeping the original order on ties.",
        "Return the strings ordered by increasing length (stable).",
        "Arrange the words from shortest to longest."],
       [((["ccc", "a", "bb"],), ["a", "bb", "ccc"]), (([],), []),
        ((["xx", "y", "zz"],), ["y", "xx", "zz"]), ((["one"],), ["one"]),
        ((["abcd", "ab", "abc", "a"],), ["a", "ab", "abc", "abcd"])],
       "def sort_by_length(words):\n    return sorted(words, key=len)",
       "function sortByLength(words) {\n  return [...words].sort((a, b) => a.length - b.length);\n}",
       "class Solution {\n  static String[] sortByLength(String[] words) {\n"
       "    String[] out = words.clone();\n"
       "    java.util.Arrays.sort(out, java.util.Comparator.comparingInt(String::length));\n"
       "    return out;\n  }\n}",
       "import \"sort\"\n\nfunc sortByLength(words []string) []string {\n"
       "\tout := append([]string{}, words...)\n"
       "\tsort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })\n"
       "\treturn out\n}"),
    _a("sort_words", "sorting", "sort_words(words: list[str]) -> list[str]",
       ["Return the words sorted alphabetically.", "Sort a list of strings in ascending order.",
        "Put the words in dictionary order."],
       [((["pear", "apple", "fig"],), ["apple", "fig", "pear"]), (([],), []),
        ((["b", "a"],), ["a", "b"]), ((["same", "same"],), ["same", "same"]),
        ((["Zed", "abe"],), ["Zed", "abe"])],
       "def sort_words(words):\n    return sorted(words)",
       "function sortWords(words) {\n  return [...words].sort();\n}",
       "class Solution {\n  static String[] sortWords(String[] words) {\n"
       "    String[] out = words.clone();\n    java.util.Arrays.sort(out);\n    return out;\n  }\n}",
       "import \"sort\"\n\nfunc sortWords(words []string) []string {\n"
       "\tout := append([]string{}, words...)\n\tsort.Strings(out)\n\treturn out\n}"),
    _a("merge_sorted", "sorting", "merge_sorted(a: list[int], b: list[int]) -> list[int]",
       ["Merge two ascending lists into one ascending list.",
        "Combine two sorted lists, keeping the result sorted.",
        "Do the merge step of merge sort on a and b."],
       [(([1, 3, 5], [2, 4]), [1, 2, 3, 4, 5]), (([], []), []), (([1], []), [1]),
        (([2, 2], [2]), [2, 2, 2]), (([-3, 0], [-5, 10]), [-5, -3, 0, 10])],
       "def merge_sorted(a, b):\n    out, i, j = [], 0, 0\n    while i < len(a) and j < len(b):\n"
       "        if a[i] <= b[j]:\n            out.append(a[i])\n            i += 1\n        else:\n"
       "            out.append(b[j])\n            j += 1\n    return out + a[i:] + b[j:]",
       "function mergeSorted(a, b) {\n  const out = [];\n  let i = 0, j = 0;\n"
       "  while (i < a.length && j < b.length) out.push(a[i] <= b[j] ? a[i++] : b[j++]);\n"
       "  return out.concat(a.slice(i), b.slice(j));\n}",
       "class Solution {\n  static int[] mergeSorted(int[] a, int[] b) {\n"
       "    int[] out = new int[a.length + b.length];\n    int i = 0, j = 0, k = 0;\n"
       "    while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];\n"
       "    while (i < a.length) out[k++] = a[i++];\n    while (j < b.length) out[k++] = b[j++];\n"
       "    return out;\n  }\n}",
       "func mergeSorted(a []int, b []int) []int {\n\tout := []int{}\n\ti, j := 0, 0\n"
       "\tfor i < len(a) && j < len(b) {\n\t\tif a[i] <= b[j] {\n\t\t\tout = append(out, a[i])\n"
       "\t\t\ti++\n\t\t} else {\n\t\t\tout = append(out, b[j])\n\t\t\tj++\n\t\t}\n\t}\n"
       "\tout = append(out, a[i:]...)\n\treturn append(out, b[j:]...)\n}",
       ts="function mergeSorted(a: number[], b: number[]): number[] {\n  const out: number[] = [];\n"
          "  let i = 0, j = 0;\n"
          "  while (i < a.length && j < b.length) out.push(a[i] <= b[j] ? a[i++] : b[j++]);\n"
          "  return out.concat(a.slice(i), b.slice(j));\n}"),
    _a("kth_smallest", "sorting", "kth_smallest(xs: list[int], k: int) -> int",
       ["Return the k-th smallest element (1-based) of the list.",
        "Find the element that would be at position k after sorting ascending (k from 1).",
        "Give the k-th order statistic of xs."],
       [(([3, 1, 2], 1), 1), (([3, 1, 2], 3), 3), (([7, 7, 1], 2), 7), (([5], 1), 5),
        (([10, 4, 8, 2], 2), 4)],
       "def kth_smallest(xs, k):\n    return sorted(xs)[k - 1]",
       "function kthSmallest(xs, k) {\n  return [...xs].sort((a, b) => a - b)[k - 1];\n}",
       "class Solution {\n  static int kthSmallest(int[] xs, int k) {\n"
       "    int[] s = xs.clone();\n    java.util.Arrays.sort(s);\n    return s[k - 1];\n  }\n}",
       "import \"sort\"\n\nfunc kthSmallest(xs []int, k int) int {\n"
       "\ts := append([]int{}, xs...)\n\tsort.Ints(s)\n\treturn s[k-1]\n}"),
    _a("median_floor", "sorting", "median_floor(xs: list[int]) -> int",
       ["Return the median of a non-empty list; for an even count, the floor of the mean "
        "of the two middle values.", "Compute the (integer) median of xs.",
        "Find the middle value of the sorted list."],
       [(([3, 1, 2],), 2), (([4, 1, 3, 2],), 2), (([5],), 5), (([1, 10],), 5),
        (([-3, -1],), -2)],
       "def median_floor(xs):\n    s = sorted(xs)\n    n = len(s)\n"
       "    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) // 2",
       "function medianFloor(xs) {\n  const s = [...xs].sort((a, b) => a - b);\n"
       "  const n = s.length;\n"
       "  return n % 2 ? s[(n - 1) / 2] : Math.floor((s[n / 2 - 1] + s[n / 2]) / 2);\n}",
       "class Solution {\n  static int medianFloor(int[] xs) {\n    int[] s = xs.clone();\n"
       "    java.util.Arrays.sort(s);\n    int n = s.length;\n"
       "    return n % 2 == 1 ? s[n / 2] : Math.floorDiv(s[n / 2 - 1] + s[n / 2], 2);\n  }\n}",
       "import \"sort\"\n\nfunc medianFloor(xs []int) int {\n\ts := append([]int{}, xs...)\n"
       "\tsort.Ints(s)\n\tn := len(s)\n\tif n%2 == 1 {\n\t\treturn s[n/2]\n\t}\n"
       "\tv := s[n/2-1] + s[n/2]\n\tif v < 0 && v%2 != 0 {\n\t\treturn v/2 - 1\n\t}\n"
       "\treturn v / 2\n}"),
    _a("binary_search", "searching", "binary_search(xs: list[int], target: int) -> int",
       ["Return the index of target in the ascending list xs, or -1 if absent.",
        "Search a sorted list for a value using binary search.",
        "Find the position of target in sorted xs."],
       [(([1, 3, 5, 7], 5), 2), (([1, 3, 5, 7], 4), -1), (([], 1), -1), (([2], 2), 0),
        (([1, 2, 3, 4, 5, 6], 1), 0)],
       "def binary_search(xs, target):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n"
       "        mid = (lo + hi) // 2\n        if xs[mid] == target:\n            return mid\n"
       "        if xs[mid] < target:\n            lo = mid + 1\n        else:\n"
       "            hi = mid - 1\n    return -1",
       "function binarySearch(xs, target) {\n  let lo = 0, hi = xs.length - 1;\n"
       "  while (lo <= hi) {\n    const mid = (lo + hi) >> 1;\n"
       "    if (xs[mid] === target) return mid;\n    if (xs[mid] < target) lo = mid + 1;\n"
       "    else hi = mid - 1;\n  }\n  return -1;\n}",
       "class Solution {\n  static int binarySearch(int[] xs, int target) {\n"
       "    int lo = 0, hi = xs.length - 1;\n    while (lo <= hi) {\n"
       "      int mid = (lo + hi) / 2;\n      if (xs[mid] == target) return mid;\n"
       "      if (xs[mid] < target) lo = mid + 1; else hi = mid - 1;\n    }\n    return -1;\n  }\n}",
       "func binarySearch(xs []int, target int) int {\n\tlo, hi := 0, len(xs)-1\n"
       "\tfor lo <= hi {\n\t\tmid := (lo + hi) / 2\n\t\tif xs[mid] == target {\n"
       "\t\t\treturn mid\n\t\t}\n\t\tif xs[mid] < target {\n\t\t\tlo = mid + 1\n\t\t} else {\n"
       "\t\t\thi = mid - 1\n\t\t}\n\t}\n\treturn -1\n}"),
    _a("linear_search", "searching", "linear_search(xs: list[int], target: int) -> int",
       ["Return the index of the first occurrence of target in xs, or -1.",
        "Find where target first appears in the list.", "Scan xs for target."],
       [(([4, 2, 7, 2], 2), 1), (([1, 2], 9), -1), (([], 0), -1), (([5], 5), 0),
        (([0, 0, 1], 1), 2)],
       "def linear_search(xs, target):\n    for i, x in enumerate(xs):\n        if x == target:\n"
       "            return i\n    return -1",
       "function linearSearch(xs, target) {\n  return xs.indexOf(target);\n}",
       "class Solution {\n  static int linearSearch(int[] xs, int target) {\n"
       "    for (int i = 0; i < xs.length; i++) if (xs[i] == target) return i;\n"
       "    return -1;\n  }\n}",
       "func linearSearch(xs []int, target int) int {\n\tfor i, x := range xs {\n"
       "\t\tif x == target {\n\t\t\treturn i\n\t\t}\n\t}\n\treturn -1\n}"),
    _a("lower_bound", "searching", "lower_bound(xs: list[int], target: int) -> int",
       ["Return the first index in the ascending list whose value is at least target "
        "(len(xs) if none).", "Find the insertion point of target in sorted xs (leftmost).",
        "Where would target be inserted to keep xs sorted, before equal values?"],
       [(([1, 3, 5], 4), 2), (([1, 3, 5], 0), 0), (([1, 3, 5], 9), 3), (([], 1), 0),
        (([2, 2, 2], 2), 0)],
       "def lower_bound(xs, target):\n    lo, hi = 0, len(xs)\n    while lo < hi:\n"
       "        mid = (lo + hi) // 2\n        if xs[mid] < target:\n            lo = mid + 1\n"
       "        else:\n            hi = mid\n    return lo",
       "function lowerBound(xs, target) {\n  let lo = 0, hi = xs.length;\n  while (lo < hi) {\n"
       "    const mid = (lo + hi) >> 1;\n    if (xs[mid] < target) lo = mid + 1;\n"
       "    else hi = mid;\n  }\n  return lo;\n}",
       "class Solution {\n  static int lowerBound(int[] xs, int target) {\n"
       "    int lo = 0, hi = xs.length;\n    while (lo < hi) {\n      int mid = (lo + hi) / 2;\n"
       "      if (xs[mid] < target) lo = mid + 1; else hi = mid;\n    }\n    return lo;\n  }\n}",
       "func lowerBound(xs []int, target int) int {\n\tlo, hi := 0, len(xs)\n\tfor lo < hi {\n"
       "\t\tmid := (lo + hi) / 2\n\t\tif xs[mid] < target {\n\t\t\tlo = mid + 1\n"
       "\t\t} else {\n\t\t\thi = mid\n\t\t}\n\t}\n\treturn lo\n}"),
    _a("count_in_sorted", "searching", "count_in_sorted(xs: list[int], target: int) -> int",
       ["Return how many times target occurs in the ascending list.",
        "Count copies of target in sorted xs.", "How often does target appear in the list?"],
       [(([1, 2, 2, 2, 3], 2), 3), (([1, 3], 2), 0), (([], 5), 0), (([4, 4], 4), 2),
        (([1, 1, 2], 1), 2)],
       "def count_in_sorted(xs, target):\n    return xs.count(target)",
       "function countInSorted(xs, target) {\n  return xs.filter((x) => x === target).length;\n}",
       "class Solution {\n  static int countInSorted(int[] xs, int target) {\n    int n = 0;\n"
       "    for (int x : xs) if (x == target) n++;\n    return n;\n  }\n}",
       "func countInSorted(xs []int, target int) int {\n\tn := 0\n\tfor _, x := range xs {\n"
       "\t\tif x == target {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"),
    _a("find_peak", "searching", "find_peak(xs: list[int]) -> int",
       ["Return the index of the first element that is larger than both neighbours "
        "(edges count as larger than outside), or -1 for an empty list.",
        "Find the first peak element's index.", "Where is the first local maximum of xs?"],
       [(([1, 3, 2],), 1), (([5, 1],), 0), (([1, 2, 3],), 2), (([],), -1),
        (([1, 1, 1],), -1)],
       "def find_peak(xs):\n    for i, x in enumerate(xs):\n"
       "        left = xs[i - 1] if i > 0 else None\n"
       "        right = xs[i + 1] if i + 1 < len(xs) else None\n"
       "        if (left is None or x > left) and (right is None or x > right):\n"
       "            return i\n    return -1",
       "function findPeak(xs) {\n  for (let i = 0; i < xs.length; i++) {\n"
       "    if ((i === 0 || xs[i] > xs[i - 1]) && (i === xs.length - 1 || xs[i] > xs[i + 1])) "
       "return i;\n  }\n  return -1;\n}",
       "class Solution {\n  static int findPeak(int[] xs) {\n"
       "    for (int i = 0; i < xs.length; i++)\n"
       "      if ((i == 0 || xs[i] > xs[i - 1]) && (i == xs.length - 1 || xs[i] > xs[i + 1])) "
       "return i;\n    return -1;\n  }\n}",
       "func findPeak(xs []int) int {\n\tfor i := range xs {\n"
       "\t\tif (i == 0 || xs[i] > xs[i-1]) && (i == len(xs)-1 || xs[i] > xs[i+1]) {\n"
       "\t\t\treturn i\n\t\t}\n\t}\n\treturn -1\n}"),
    _a("longest_increasing_run", "algorithms", "longest_increasing_run(xs: list[int]) -> int",
       ["Return the length of the longest strictly increasing run of consecutive elements.",
        "Find the longest contiguous ascending stretch of xs.",
        "How long is the longest streak where each number beats the one before?"],
       [(([1, 2, 1, 2, 3],), 3), (([],), 0), (([5, 4, 3],), 1), (([1, 2, 3, 4],), 4),
        (([2, 2],), 1)],
       "def longest_increasing_run(xs):\n    best = run = 0\n    for i, x in enumerate(xs):\n"
       "        run = run + 1 if i and xs[i - 1] < x else 1\n        best = max(best, run)\n"
       "    return best",
       "function longestIncreasingRun(xs) {\n  let best = 0, run = 0;\n"
       "  for (let i = 0; i < xs.length; i++) {\n"
       "    run = i > 0 && xs[i - 1] < xs[i] ? run + 1 : 1;\n    best = Math.max(best, run);\n"
       "  }\n  return best;\n}",
       "class Solution {\n  static int longestIncreasingRun(int[] xs) {\n    int best = 0, run = 0;\n"
       "    for (int i = 0; i < xs.length; i++) {\n"
       "      run = i > 0 && xs[i - 1] < xs[i] ? run + 1 : 1;\n      best = Math.max(best, run);\n"
       "    }\n    return best;\n  }\n}",
       "func longestIncreasingRun(xs []int) int {\n\tbest, run := 0, 0\n\tfor i := range xs {\n"
       "\t\tif i > 0 && xs[i-1] < xs[i] {\n\t\t\trun++\n\t\t} else {\n\t\t\trun = 1\n\t\t}\n"
       "\t\tif run > best {\n\t\t\tbest = run\n\t\t}\n\t}\n\treturn best\n}"),
    _a("climb_stairs", "algorithms", "climb_stairs(n: int) -> int",
       ["Return the number of ways to climb n stairs taking 1 or 2 steps at a time.",
        "Count distinct step sequences of 1s and 2s summing to n.",
        "In how many ways can you go up n steps, one or two at a time?"],
       [((1,), 1), ((2,), 2), ((3,), 3), ((5,), 8), ((10,), 89)],
       "def climb_stairs(n):\n    a, b = 1, 1\n    for _ in range(n):\n        a, b = b, a + b\n"
       "    return a",
       "function climbStairs(n) {\n  let a = 1, b = 1;\n"
       "  for (let i = 0; i < n; i++) [a, b] = [b, a + b];\n  return a;\n}",
       "class Solution {\n  static int climbStairs(int n) {\n    int a = 1, b = 1;\n"
       "    for (int i = 0; i < n; i++) { int t = a + b; a = b; b = t; }\n    return a;\n  }\n}",
       "func climbStairs(n int) int {\n\ta, b := 1, 1\n\tfor i := 0; i < n; i++ {\n"
       "\t\ta, b = b, a+b\n\t}\n\treturn a\n}"),
    _a("coin_change_ways", "algorithms", "coin_change_ways(coins: list[int], amount: int) -> int",
       ["Return the number of combinations of the coins (unlimited supply) that make amount.",
        "Count ways to make change for amount with the given coin values.",
        "How many multisets of coins sum to amount?"],
       [(([1, 2, 5], 5), 4), (([2], 3), 0), (([1], 0), 1), (([10], 10), 1),
        (([1, 2], 4), 3)],
       "def coin_change_ways(coins, amount):\n    ways = [1] + [0] * amount\n"
       "    for c in coins:\n        for a in range(c, amount + 1):\n"
       "            ways[a] += ways[a - c]\n    return ways[amount]",
       "function coinChangeWays(coins, amount) {\n  const ways = new Array(amount + 1).fill(0);\n"
       "  ways[0] = 1;\n  for (const c of coins) for (let a = c; a <= amount; a++) "
       "ways[a] += ways[a - c];\n  return ways[amount];\n}",
       "class Solution {\n  static int coinChangeWays(int[] coins, int amount) {\n"
       "    int[] ways = new int[amount + 1];\n    ways[0] = 1;\n"
       "    for (int c : coins) for (int a = c; a <= amount; a++) ways[a] += ways[a - c];\n"
       "    return ways[amount];\n  }\n}",
       "func coinChangeWays(coins []int, amount int) int {\n\tways := make([]int, amount+1)\n"
       "\tways[0] = 1\n\tfor _, c := range coins {\n\t\tfor a := c; a <= amount; a++ {\n"
       "\t\t\tways[a] += ways[a-c]\n\t\t}\n\t}\n\treturn ways[amount]\n}"),
    _a("fewest_coins", "algorithms", "fewest_coins(coins: list[int], amount: int) -> int",
       ["Return the fewest coins needed to make amount from the given values, or -1 if "
        "impossible.", "Solve the coin change minimum problem.",
        "What is the smallest number of coins summing to amount?"],
       [(([1, 2, 5], 11), 3), (([2], 3), -1), (([1], 0), 0), (([1, 3, 4], 6), 2),
        (([5, 7], 24), 4)],
       "def fewest_coins(coins, amount):\n    inf = amount + 1\n    best = [0] + [inf] * amount\n"
       "    for a in range(1, amount + 1):\n        for c in coins:\n"
       "            if c <= a and best[a - c] + 1 < best[a]:\n                best[a] = best[a - c] + 1\n"
       "    return best[amount] if best[amount] <= amount else -1",
       "function fewestCoins(coins, amount) {\n  const best = new Array(amount + 1).fill(Infinity);\n"
       "  best[0] = 0;\n  for (let a = 1; a <= amount; a++) for (const c of coins) "
       "if (c <= a) best[a] = Math.min(best[a], best[a - c] + 1);\n"
       "  return best[amount] === Infinity ? -1 : best[amount];\n}",
       "class Solution {\n  static int fewestCoins(int[] coins, int amount) {\n"
       "    int[] best = new int[amount + 1];\n    java.util.Arrays.fill(best, amount + 1);\n"
       "    best[0] = 0;\n    for (int a = 1; a <= amount; a++) for (int c : coins) "
       "if (c <= a) best[a] = Math.min(best[a], best[a - c] + 1);\n"
       "    return best[amount] > amount ? -1 : best[amount];\n  }\n}",
       "func fewestCoins(coins []int, amount int) int {\n\tbest := make([]int, amount+1)\n"
       "\tfor a := 1; a <= amount; a++ {\n\t\tbest[a] = amount + 1\n\t\tfor _, c := range coins {\n"
       "\t\t\tif c <= a && best[a-c]+1 < best[a] {\n\t\t\t\tbest[a] = best[a-c] + 1\n\t\t\t}\n"
       "\t\t}\n\t}\n\tif best[amount] > amount {\n\t\treturn -1\n\t}\n\treturn best[amount]\n}"),
    _a("lcs_length", "algorithms", "lcs_length(a: str, b: str) -> int",
       ["Return the length of the longest common subsequence of two strings.",
        "Compute the LCS length of a and b.",
        "How long is the longest sequence of characters appearing in order in both?"],
       [(("abcde", "ace"), 3), (("abc", "def"), 0), (("", "a"), 0), (("abc", "abc"), 3),
        (("AGGTAB", "GXTXAYB"), 4)],
       "def lcs_length(a, b):\n    prev = [0] * (len(b) + 1)\n    for x in a:\n"
       "        cur = [0]\n        for j, y in enumerate(b):\n"
       "            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))\n"
       "        prev = cur\n    return prev[-1]",
       "function lcsLength(a, b) {\n  let prev = new Array(b.length + 1).fill(0);\n"
       "  for (const x of a) {\n    const cur = [0];\n"
       "    for (let j = 0; j < b.length; j++) cur.push(x === b[j] ? prev[j] + 1 : "
       "Math.max(prev[j + 1], cur[j]));\n    prev = cur;\n  }\n  return prev[b.length];\n}",
       "class Solution {\n  static int lcsLength(String a, String b) {\n"
       "    int[][] d = new int[a.length() + 1][b.length() + 1];\n"
       "    for (int i = 1; i <= a.length(); i++) for (int j = 1; j <= b.length(); j++)\n"
       "      d[i][j] = a.charAt(i - 1) == b.charAt(j - 1) ? d[i - 1][j - 1] + 1 : "
       "Math.max(d[i - 1][j], d[i][j - 1]);\n    return d[a.length()][b.length()];\n  }\n}",
       "func lcsLength(a string, b string) int {\n\tprev := make([]int, len(b)+1)\n"
       "\tfor i := 0; i < len(a); i++ {\n\t\tcur := make([]int, len(b)+1)\n"
       "\t\tfor j := 0; j < len(b); j++ {\n\t\t\tif a[i] == b[j] {\n\t\t\t\tcur[j+1] = prev[j] + 1\n"
       "\t\t\t} else if prev[j+1] > cur[j] {\n\t\t\t\tcur[j+1] = prev[j+1]\n\t\t\t} else {\n"
       "\t\t\t\tcur[j+1] = cur[j]\n\t\t\t}\n\t\t}\n\t\tprev = cur\n\t}\n\treturn prev[len(b)]\n}",
       ts="function lcsLength(a: string, b: string): number {\n"
          "  let prev: number[] = new Array(b.length + 1).fill(0);\n  for (const x of a) {\n"
          "    const cur: number[] = [0];\n"
          "    for (let j = 0; j < b.length; j++) cur.push(x === b[j] ? prev[j] + 1 : "
          "Math.max(prev[j + 1], cur[j]));\n    prev = cur;\n  }\n  return prev[b.length];\n}"),
    _a("edit_distance", "algorithms", "edit_distance(a: str, b: str) -> int",
       ["Return the Levenshtein distance between two strings.",
        "Count the minimum insertions, deletions and substitutions turning a into b.",
        "Compute the edit distance of a and b."],
       [(("kitten", "sitting"), 3), (("", "abc"), 3), (("same", "same"), 0),
        (("flaw", "lawn"), 2), (("a", ""), 1)],
       "def edit_distance(a, b):\n    prev = list(range(len(b) + 1))\n"
       "    for i, x in enumerate(a, 1):\n        cur = [i]\n        for j, y in enumerate(b, 1):\n"
       "            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))\n"
       "        prev = cur\n    return prev[-1]",
       "function editDistance(a, b) {\n  let prev = Array.from({ length: b.length + 1 }, "
       "(_, j) => j);\n  for (let i = 1; i <= a.length; i++) {\n    const cur = [i];\n"
       "    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, "
       "prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));\n    prev = cur;\n  }\n"
       "  return prev[b.length];\n}",
       "class Solution {\n  static int editDistance(String a, String b) {\n"
       "    int[][] d = new int[a.length() + 1][b.length() + 1];\n"
       "    for (int i = 0; i <= a.length(); i++) d[i][0] = i;\n"
       "    for (int j = 0; j <= b.length(); j++) d[0][j] = j;\n"
       "    for (int i = 1; i <= a.length(); i++) for (int j = 1; j <= b.length(); j++)\n"
       "      d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + "
       "(a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));\n    return d[a.length()][b.length()];\n"
       "  }\n}",
       "func editDistance(a string, b string) int {\n\tprev := make([]int, len(b)+1)\n"
       "\tfor j := range prev {\n\t\tprev[j] = j\n\t}\n\tfor i := 1; i <= len(a); i++ {\n"
       "\t\tcur := make([]int, len(b)+1)\n\t\tcur[0] = i\n\t\tfor j := 1; j <= len(b); j++ {\n"
       "\t\t\tcost := 1\n\t\t\tif a[i-1] == b[j-1] {\n\t\t\t\tcost = 0\n\t\t\t}\n"
       "\t\t\tbest := prev[j-1] + cost\n\t\t\tif prev[j]+1 < best {\n\t\t\t\tbest = prev[j] + 1\n\t\t\t}\n\t\t\tif cur[j-1]+1 < best {\n\t\t\t\tbest = cur[j-1] + 1\n\t\t\t}\n\t\t\tcur[j] = best\n\t\t}\n\t\tprev = cur\n\t}\n"
       "\treturn prev[len(b)]\n}",
       ts="function editDistance(a: string, b: string): number {\n"
          "  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);\n"
          "  for (let i = 1; i <= a.length; i++) {\n    const cur: number[] = [i];\n"
          "    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, "
          "prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));\n    prev = cur;\n  }\n"
          "  return prev[b.length];\n}"),
    _a("primes_up_to", "algorithms", "primes_up_to(n: int) -> list[int]",
       ["Return all primes less than or equal to n, in order.",
        "List the prime numbers up to n with the sieve of Eratosthenes.",
        "Which numbers from 2 to n are prime?"],
       [((10,), [2, 3, 5, 7]), ((1,), []), ((2,), [2]), ((20,), [2, 3, 5, 7, 11, 13, 17, 19]),
        ((3,), [2, 3])],
       "def primes_up_to(n):\n    if n < 2:\n        return []\n    is_p = [True] * (n + 1)\n"
       "    is_p[0] = is_p[1] = False\n    for i in range(2, int(n ** 0.5) + 1):\n"
       "        if is_p[i]:\n            for j in range(i * i, n + 1, i):\n"
       "                is_p[j] = False\n    return [i for i in range(n + 1) if is_p[i]]",
       "function primesUpTo(n) {\n  const out = [];\n  const comp = new Array(n + 1).fill(false);\n"
       "  for (let i = 2; i <= n; i++) {\n    if (comp[i]) continue;\n    out.push(i);\n"
       "    for (let j = i * i; j <= n; j += i) comp[j] = true;\n  }\n  return out;\n}",
       "class Solution {\n  static int[] primesUpTo(int n) {\n"
       "    boolean[] comp = new boolean[Math.max(n + 1, 2)];\n"
       "    java.util.List<Integer> out = new java.util.ArrayList<>();\n"
       "    for (int i = 2; i <= n; i++) {\n      if (comp[i]) continue;\n      out.add(i);\n"
       "      for (long j = (long) i * i; j <= n; j += i) comp[(int) j] = true;\n    }\n"
       "    return out.stream().mapToInt(Integer::intValue).toArray();\n  }\n}",
       "func primesUpTo(n int) []int {\n\tout := []int{}\n\tif n < 2 {\n\t\treturn out\n\t}\n"
       "\tcomp := make([]bool, n+1)\n\tfor i := 2; i <= n; i++ {\n\t\tif comp[i] {\n"
       "\t\t\tcontinue\n\t\t}\n\t\tout = append(out, i)\n\t\tfor j := i * i; j <= n; j += i {\n"
       "\t\t\tcomp[j] = true\n\t\t}\n\t}\n\treturn out\n}",
       ts="function primesUpTo(n: number): number[] {\n  const out: number[] = [];\n"
          "  const comp: boolean[] = new Array(n + 1).fill(false);\n"
          "  for (let i = 2; i <= n; i++) {\n    if (comp[i]) continue;\n    out.push(i);\n"
          "    for (let j = i * i; j <= n; j += i) comp[j] = true;\n  }\n  return out;\n}"),
    _a("prime_factors", "algorithms", "prime_factors(n: int) -> list[int]",
       ["Return the prime factors of n >= 2 in ascending order, with repetition.",
        "Factorize n into primes.", "List the primes whose product is n."],
       [((12,), [2, 2, 3]), ((13,), [13]), ((100,), [2, 2, 5, 5]), ((2,), [2]),
        ((84,), [2, 2, 3, 7])],
       "def prime_factors(n):\n    out, d = [], 2\n    while d * d <= n:\n"
       "        while n % d == 0:\n            out.append(d)\n            n //= d\n        d += 1\n"
       "    if n > 1:\n        out.append(n)\n    return out",
       "function primeFactors(n) {\n  const out = [];\n"
       "  for (let d = 2; d * d <= n; d++) while (n % d === 0) { out.push(d); n /= d; }\n"
       "  if (n > 1) out.push(n);\n  return out;\n}",
       "class Solution {\n  static int[] primeFactors(int n) {\n"
       "    java.util.List<Integer> out = new java.util.ArrayList<>();\n"
       "    for (int d = 2; d * d <= n; d++) while (n % d == 0) { out.add(d); n /= d; }\n"
       "    if (n > 1) out.add(n);\n"
       "    return out.stream().mapToInt(Integer::intValue).toArray();\n  }\n}",
       "func primeFactors(n int) []int {\n\tout := []int{}\n\tfor d := 2; d*d <= n; d++ {\n"
       "\t\tfor n%d == 0 {\n\t\t\tout = append(out, d)\n\t\t\tn /= d\n\t\t}\n\t}\n"
       "\tif n > 1 {\n\t\tout = append(out, n)\n\t}\n\treturn out\n}",
       ts="function primeFactors(n: number): number[] {\n  const out: number[] = [];\n"
          "  for (let d = 2; d * d <= n; d++) while (n % d === 0) { out.push(d); n /= d; }\n"
          "  if (n > 1) out.push(n);\n  return out;\n}"),
    _a("pascal_row", "algorithms", "pascal_row(n: int) -> list[int]",
       ["Return row n (0-based) of Pascal's triangle.",
        "Compute the binomial coefficients C(n, 0) .. C(n, n).",
        "Give the n-th row of Pascal's triangle."],
       [((0,), [1]), ((1,), [1, 1]), ((4,), [1, 4, 6, 4, 1]), ((2,), [1, 2, 1]),
        ((6,), [1, 6, 15, 20, 15, 6, 1])],
       "def pascal_row(n):\n    row = [1]\n    for _ in range(n):\n"
       "        row = [a + b for a, b in zip([0] + row, row + [0])]\n    return row",
       "function pascalRow(n) {\n  let row = [1];\n  for (let i = 0; i < n; i++) {\n"
       "    const next = [1];\n    for (let j = 1; j < row.length; j++) next.push(row[j - 1] + row[j]);\n"
       "    next.push(1);\n    row = next;\n  }\n  return row;\n}",
       "class Solution {\n  static int[] pascalRow(int n) {\n    int[] row = new int[n + 1];\n"
       "    row[0] = 1;\n    for (int i = 1; i <= n; i++) for (int j = i; j > 0; j--) "
       "row[j] += row[j - 1];\n    return row;\n  }\n}",
       "func pascalRow(n int) []int {\n\trow := make([]int, n+1)\n\trow[0] = 1\n"
       "\tfor i := 1; i <= n; i++ {\n\t\tfor j := i; j > 0; j-- {\n\t\t\trow[j] += row[j-1]\n"
       "\t\t}\n\t}\n\treturn row\n}",
       ts="function pascalRow(n: number): number[] {\n  let row: number[] = [1];\n"
          "  for (let i = 0; i < n; i++) {\n    const next: number[] = [1];\n"
          "    for (let j = 1; j < row.length; j++) next.push(row[j - 1] + row[j]);\n"
          "    next.push(1);\n    row = next;\n  }\n  return row;\n}"),
    _a("max_profit", "algorithms", "max_profit(prices: list[int]) -> int",
       ["Given daily prices, return the best profit from one buy followed by one sell "
        "(0 if none).", "Compute the maximum single-trade stock profit.",
        "Buy low then sell high once: what is the largest gain?"],
       [(([7, 1, 5, 3, 6, 4],), 5), (([7, 6, 4, 3, 1],), 0), (([],), 0), (([1, 2],), 1),
        (([2, 4, 1, 7],), 6)],
       "def max_profit(prices):\n    best, low = 0, None\n    for p in prices:\n"
       "        if low is None or p < low:\n            low = p\n        best = max(best, p - low)\n"
       "    return best",
       "function maxProfit(prices) {\n  let best = 0, low = Infinity;\n"
       "  for (const p of prices) {\n    low = Math.min(low, p);\n"
       "    best = Math.max(best, p - low);\n  }\n  return best;\n}",
       "class Solution {\n  static int maxProfit(int[] prices) {\n"
       "    int best = 0, low = Integer.MAX_VALUE;\n    for (int p : prices) {\n"
       "      low = Math.min(low, p);\n      best = Math.max(best, p - low);\n    }\n"
       "    return best;\n  }\n}",
       "func maxProfit(prices []int) int {\n\tbest := 0\n\tfor i, p := range prices {\n"
       "\t\tfor _, q := range prices[i+1:] {\n\t\t\tif q-p > best {\n\t\t\t\tbest = q - p\n"
       "\t\t\t}\n\t\t}\n\t}\n\treturn best\n}"),
    _a("diagonal_sum", "algorithms", "diagonal_sum(flat: list[int], n: int) -> int",
       ["A square n-by-n matrix is given row by row as a flat list; return the sum of its "
        "main diagonal.", "Compute the trace of an n x n matrix stored in row-major order.",
        "Add up flat[0], flat[n+1], flat[2n+2], ..."],
       [(([1, 2, 3, 4], 2), 5), (([5], 1), 5), (([1, 0, 0, 0, 1, 0, 0, 0, 1], 3), 3),
        (([], 0), 0), (([2, 9, 9, 3], 2), 5)],
       "def diagonal_sum(flat, n):\n    return sum(flat[i * n + i] for i in range(n))",
       "function diagonalSum(flat, n) {\n  let s = 0;\n"
       "  for (let i = 0; i < n; i++) s += flat[i * n + i];\n  return s;\n}",
       "class Solution {\n  static int diagonalSum(int[] flat, int n) {\n    int s = 0;\n"
       "    for (int i = 0; i < n; i++) s += flat[i * n + i];\n    return s;\n  }\n}",
       "func diagonalSum(flat []int, n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n"
       "\t\ts += flat[i*n+i]\n\t}\n\treturn s\n}"),
    _a("transpose", "algorithms", "transpose(flat: list[int], rows: int, cols: int) -> list[int]",
       ["A rows-by-cols matrix is given as a flat row-major list; return its transpose, "
        "also flat and row-major.", "Transpose a matrix stored as a flat list.",
        "Swap rows and columns of the flattened matrix."],
       [(([1, 2, 3, 4, 5, 6], 2, 3), [1, 4, 2, 5, 3, 6]), (([], 0, 0), []),
        (([7], 1, 1), [7]), (([1, 2], 1, 2), [1, 2]), (([1, 2, 3, 4], 2, 2), [1, 3, 2, 4])],
       "def transpose(flat, rows, cols):\n"
       "    return [flat[r * cols + c] for c in range(cols) for r in range(rows)]",
       "function transpose(flat, rows, cols) {\n  const out = [];\n"
       "  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) "
       "out.push(flat[r * cols + c]);\n  return out;\n}",
       "class Solution {\n  static int[] transpose(int[] flat, int rows, int cols) {\n"
       "    int[] out = new int[flat.length];\n    int k = 0;\n"
       "    for (int c = 0; c < cols; c++) for (int r = 0; r < rows; r++) "
       "out[k++] = flat[r * cols + c];\n    return out;\n  }\n}",
       "func transpose(flat []int, rows int, cols int) []int {\n\tout := []int{}\n"
       "\tfor c := 0; c < cols; c++ {\n\t\tfor r := 0; r < rows; r++ {\n"
       "\t\t\tout = append(out, flat[r*cols+c])\n\t\t}\n\t}\n\treturn out\n}",
       ts="function transpose(flat: number[], rows: number, cols: number): number[] {\n"
          "  const out: number[] = [];\n"
          "  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) "
          "out.push(flat[r * cols + c]);\n  return out;\n}"),
    _a("gray_code", "algorithms", "gray_code(n: int) -> list[int]",
       ["Return the n-bit reflected Gray code sequence starting from 0.",
        "List the 2^n Gray codes in order, i ^ (i >> 1).",
        "Generate the binary-reflected Gray code of n bits."],
       [((1,), [0, 1]), ((2,), [0, 1, 3, 2]), ((0,), [0]), ((3,), [0, 1, 3, 2, 6, 7, 5, 4]),
        ((4,), [0, 1, 3, 2, 6, 7, 5, 4, 12, 13, 15, 14, 10, 11, 9, 8])],
       "def gray_code(n):\n    return [i ^ (i >> 1) for i in range(1 << n)]",
       "function grayCode(n) {\n  const out = [];\n"
       "  for (let i = 0; i < 1 << n; i++) out.push(i ^ (i >> 1));\n  return out;\n}",
       "class Solution {\n  static int[] grayCode(int n) {\n    int[] out = new int[1 << n];\n"
       "    for (int i = 0; i < out.length; i++) out[i] = i ^ (i >> 1);\n    return out;\n  }\n}",
       "func grayCode(n int) []int {\n\tout := []int{}\n\tfor i := 0; i < 1<<n; i++ {\n"
       "\t\tout = append(out, i^(i>>1))\n\t}\n\treturn out\n}",
       ts="function grayCode(n: number): number[] {\n  const out: number[] = [];\n"
          "  for (let i = 0; i < 1 << n; i++) out.push(i ^ (i >> 1));\n  return out;\n}"),
    _a("can_split_equal", "algorithms", "can_split_equal(xs: list[int]) -> bool",
       ["Return true if the list of non-negative integers can be split into two groups "
        "with equal sums.", "Decide whether xs can be partitioned into two equal-sum parts.",
        "Is there a subset holding exactly half of the total?"],
       [(([1, 5, 11, 5],), True), (([1, 2, 3, 5],), False), (([],), True), (([2, 2],), True),
        (([3],), False)],
       "def can_split_equal(xs):\n    total = sum(xs)\n    if total % 2:\n        return False\n"
       "    reach = {0}\n    for x in xs:\n        reach |= {r + x for r in reach}\n"
       "    return total // 2 in reach",
       "function canSplitEqual(xs) {\n  const total = xs.reduce((a, b) => a + b, 0);\n"
       "  if (total % 2) return false;\n  const half = total / 2;\n"
       "  const ok = new Array(half + 1).fill(false);\n  ok[0] = true;\n"
       "  for (const x of xs) for (let s = half; s >= x; s--) ok[s] = ok[s] || ok[s - x];\n"
       "  return ok[half];\n}",
       "class Solution {\n  static boolean canSplitEqual(int[] xs) {\n    int total = 0;\n"
       "    for (int x : xs) total += x;\n    if (total % 2 != 0) return false;\n"
       "    int half = total / 2;\n    boolean[] ok = new boolean[half + 1];\n    ok[0] = true;\n"
       "    for (int x : xs) for (int s = half; s >= x; s--) ok[s] = ok[s] || ok[s - x];\n"
       "    return ok[half];\n  }\n}",
       "func canSplitEqual(xs []int) bool {\n\ttotal := 0\n\tfor _, x := range xs {\n"
       "\t\ttotal += x\n\t}\n\tif total%2 != 0 {\n\t\treturn false\n\t}\n\thalf := total / 2\n"
       "\tok := make([]bool, half+1)\n\tok[0] = true\n\tfor _, x := range xs {\n"
       "\t\tfor s := half; s >= x; s-- {\n\t\t\tok[s] = ok[s] || ok[s-x]\n\t\t}\n\t}\n"
       "\treturn ok[half]\n}"),
    _a("count_islands", "algorithms", "count_islands(grid: list[str]) -> int",
       ["Count the islands in a grid of '1' (land) and '0' (water) rows; land connects "
        "up, down, left and right.", "Return the number of connected groups of '1' cells.",
        "How many separate islands does the map have?"],
       [((["110", "010", "001"],), 2), (([],), 0), ((["000"],), 0), ((["1"],), 1),
        ((["101", "010", "101"],), 5)],
       "def count_islands(grid):\n    seen, count = set(), 0\n"
       "    for r in range(len(grid)):\n        for c in range(len(grid[r])):\n"
       "            if grid[r][c] == \"1\" and (r, c) not in seen:\n                count += 1\n"
       "                stack = [(r, c)]\n                seen.add((r, c))\n                while stack:\n"
       "                    y, x = stack.pop()\n"
       "                    for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):\n"
       "                        if 0 <= ny < len(grid) and 0 <= nx < len(grid[ny]) and "
       "grid[ny][nx] == \"1\" and (ny, nx) not in seen:\n"
       "                            seen.add((ny, nx))\n                            stack.append((ny, nx))\n"
       "    return count",
       "function countIslands(grid) {\n  const seen = new Set();\n  let count = 0;\n"
       "  const visit = (r, c) => {\n    if (r < 0 || r >= grid.length || c < 0 || c >= grid[r].length) return;\n"
       "    if (grid[r][c] !== \"1\" || seen.has(r + \",\" + c)) return;\n"
       "    seen.add(r + \",\" + c);\n    visit(r + 1, c); visit(r - 1, c); visit(r, c + 1); "
       "visit(r, c - 1);\n  };\n  for (let r = 0; r < grid.length; r++) for (let c = 0; "
       "c < grid[r].length; c++) {\n    if (grid[r][c] === \"1\" && !seen.has(r + \",\" + c)) "
       "{ count++; visit(r, c); }\n  }\n  return count;\n}",
       "class Solution {\n  static int countIslands(String[] grid) {\n"
       "    boolean[][] seen = new boolean[grid.length][];\n"
       "    for (int r = 0; r < grid.length; r++) seen[r] = new boolean[grid[r].length()];\n"
       "    int count = 0;\n    for (int r = 0; r < grid.length; r++) for (int c = 0; "
       "c < grid[r].length(); c++)\n      if (grid[r].charAt(c) == '1' && !seen[r][c]) "
       "{ count++; visit(grid, seen, r, c); }\n    return count;\n  }\n"
       "  static void visit(String[] g, boolean[][] seen, int r, int c) {\n"
       "    if (r < 0 || r >= g.length || c < 0 || c >= g[r].length()) return;\n"
       "    if (g[r].charAt(c) != '1' || seen[r][c]) return;\n    seen[r][c] = true;\n"
       "    visit(g, seen, r + 1, c); visit(g, seen, r - 1, c); visit(g, seen, r, c + 1); "
       "visit(g, seen, r, c - 1);\n  }\n}",
       "func countIslands(grid []string) int {\n\tseen := map[[2]int]bool{}\n\tcount := 0\n"
       "\tvar visit func(r, c int)\n\tvisit = func(r, c int) {\n"
       "\t\tif r < 0 || r >= len(grid) || c < 0 || c >= len(grid[r]) {\n\t\t\treturn\n\t\t}\n"
       "\t\tif grid[r][c] != '1' || seen[[2]int{r, c}] {\n\t\t\treturn\n\t\t}\n"
       "\t\tseen[[2]int{r, c}] = true\n\t\tvisit(r+1, c)\n\t\tvisit(r-1, c)\n\t\tvisit(r, c+1)\n"
       "\t\tvisit(r, c-1)\n\t}\n\tfor r := range grid {\n\t\tfor c := range grid[r] {\n"
       "\t\t\tif grid[r][c] == '1' && !seen[[2]int{r, c}] {\n\t\t\t\tcount++\n"
       "\t\t\t\tvisit(r, c)\n\t\t\t}\n\t\t}\n\t}\n\treturn count\n}",
       ts="function countIslands(grid: string[]): number {\n  const seen = new Set<string>();\n"
          "  let count = 0;\n  const visit = (r: number, c: number): void => {\n"
          "    if (r < 0 || r >= grid.length || c < 0 || c >= grid[r].length) return;\n"
          "    if (grid[r][c] !== \"1\" || seen.has(r + \",\" + c)) return;\n"
          "    seen.add(r + \",\" + c);\n    visit(r + 1, c); visit(r - 1, c); visit(r, c + 1); "
          "visit(r, c - 1);\n  };\n  for (let r = 0; r < grid.length; r++) for (let c = 0; "
          "c < grid[r].length; c++) {\n    if (grid[r][c] === \"1\" && !seen.has(r + \",\" + c)) "
          "{ count++; visit(r, c); }\n  }\n  return count;\n}"),
    _a("next_permutation", "algorithms", "next_permutation(xs: list[int]) -> list[int]",
       ["Return the next lexicographic permutation of the list, or the ascending order if "
        "it is the last one.", "Rearrange xs into the next greater permutation.",
        "Compute the lexicographically next ordering of the numbers."],
       [(([1, 2, 3],), [1, 3, 2]), (([3, 2, 1],), [1, 2, 3]), (([1, 1, 5],), [1, 5, 1]),
        (([1],), [1]), (([1, 3, 2],), [2, 1, 3])],
       "def next_permutation(xs):\n    a = list(xs)\n    i = len(a) - 2\n"
       "    while i >= 0 and a[i] >= a[i + 1]:\n        i -= 1\n    if i >= 0:\n"
       "        j = len(a) - 1\n        while a[j] <= a[i]:\n            j -= 1\n"
       "        a[i], a[j] = a[j], a[i]\n    a[i + 1:] = reversed(a[i + 1:])\n    return a",
       "function nextPermutation(xs) {\n  const a = [...xs];\n  let i = a.length - 2;\n"
       "  while (i >= 0 && a[i] >= a[i + 1]) i--;\n  if (i >= 0) {\n    let j = a.length - 1;\n"
       "    while (a[j] <= a[i]) j--;\n    [a[i], a[j]] = [a[j], a[i]];\n  }\n"
       "  return a.slice(0, i + 1).concat(a.slice(i + 1).reverse());\n}",
       "class Solution {\n  static int[] nextPermutation(int[] xs) {\n    int[] a = xs.clone();\n"
       "    int i = a.length - 2;\n    while (i >= 0 && a[i] >= a[i + 1]) i--;\n"
       "    if (i >= 0) {\n      int j = a.length - 1;\n      while (a[j] <= a[i]) j--;\n"
       "      int t = a[i]; a[i] = a[j]; a[j] = t;\n    }\n"
       "    for (int l = i + 1, r = a.length - 1; l < r; l++, r--) { int t = a[l]; a[l] = a[r]; "
       "a[r] = t; }\n    return a;\n  }\n}",
       "func nextPermutation(xs []int) []int {\n\ta := append([]int{}, xs...)\n\ti := len(a) - 2\n"
       "\tfor i >= 0 && a[i] >= a[i+1] {\n\t\ti--\n\t}\n\tif i >= 0 {\n\t\tj := len(a) - 1\n"
       "\t\tfor a[j] <= a[i] {\n\t\t\tj--\n\t\t}\n\t\ta[i], a[j] = a[j], a[i]\n\t}\n"
       "\tfor l, r := i+1, len(a)-1; l < r; l, r = l+1, r-1 {\n\t\ta[l], a[r] = a[r], a[l]\n\t}\n"
       "\treturn a\n}"),
    _a("run_length_decode", "algorithms", "run_length_decode(s: str) -> str",
       ["Decode a run-length string such as \"a3b2\" into \"aaabb\" (counts may have several "
        "digits).", "Expand each character followed by its repeat count.",
        "Undo run-length encoding."],
       [(("a3b2",), "aaabb"), (("",), ""), (("x1",), "x"), (("z10",), "zzzzzzzzzz"),
        (("a1b1c1",), "abc")],
       "def run_length_decode(s):\n    out, i = [], 0\n    while i < len(s):\n        ch = s[i]\n"
       "        j = i + 1\n        while j < len(s) and s[j].isdigit():\n            j += 1\n"
       "        out.append(ch * int(s[i + 1:j]))\n        i = j\n    return \"\".join(out)",
       "function runLengthDecode(s) {\n  let out = \"\";\n"
       "  for (const m of s.matchAll(/(\\D)(\\d+)/g)) out += m[1].repeat(Number(m[2]));\n"
       "  return out;\n}",
       "class Solution {\n  static String runLengthDecode(String s) {\n"
       "    StringBuilder out = new StringBuilder();\n    int i = 0;\n    while (i < s.length()) {\n"
       "      char ch = s.charAt(i);\n      int j = i + 1;\n"
       "      while (j < s.length() && Character.isDigit(s.charAt(j))) j++;\n"
       "      out.append(String.valueOf(ch).repeat(Integer.parseInt(s.substring(i + 1, j))));\n"
       "      i = j;\n    }\n    return out.toString();\n  }\n}",
       "import (\n\t\"strconv\"\n\t\"strings\"\n)\n\nfunc runLengthDecode(s string) string {\n"
       "\tvar b strings.Builder\n\ti := 0\n\tfor i < len(s) {\n\t\tj := i + 1\n"
       "\t\tfor j < len(s) && s[j] >= '0' && s[j] <= '9' {\n\t\t\tj++\n\t\t}\n"
       "\t\tn, _ := strconv.Atoi(s[i+1 : j])\n\t\tb.WriteString(strings.Repeat(s[i:i+1], n))\n"
       "\t\ti = j\n\t}\n\treturn b.String()\n}"),
    _a("bracket_depth", "algorithms", "bracket_depth(s: str) -> int",
       ["Return the maximum nesting depth of round brackets in s.",
        "How deeply are the parentheses nested at most?",
        "Compute the deepest level of ( ) nesting in the text."],
       [(("(a(b)c)",), 2), (("",), 0), (("()()",), 1), (("((()))",), 3), (("x",), 0)],
       "def bracket_depth(s):\n    depth = best = 0\n    for c in s:\n        if c == \"(\":\n"
       "            depth += 1\n            best = max(best, depth)\n        elif c == \")\":\n"
       "            depth -= 1\n    return best",
       "function bracketDepth(s) {\n  let depth = 0, best = 0;\n  for (const c of s) {\n"
       "    if (c === \"(\") best = Math.max(best, ++depth);\n    else if (c === \")\") depth--;\n"
       "  }\n  return best;\n}",
       "class Solution {\n  static int bracketDepth(String s) {\n    int depth = 0, best = 0;\n"
       "    for (char c : s.toCharArray()) {\n      if (c == '(') best = Math.max(best, ++depth);\n"
       "      else if (c == ')') depth--;\n    }\n    return best;\n  }\n}",
       "func bracketDepth(s string) int {\n\tdepth, best := 0, 0\n\tfor _, c := range s {\n"
       "\t\tif c == '(' {\n\t\t\tdepth++\n\t\t\tif depth > best {\n\t\t\t\tbest = depth\n\t\t\t}\n"
       "\t\t} else if c == ')' {\n\t\t\tdepth--\n\t\t}\n\t}\n\treturn best\n}"),
    _a("selection_sort", "sorting", "selection_sort(xs: list[int]) -> list[int]",
       ["Sort the list ascending with selection sort and return the result.",
        "Implement selection sort on xs.",
        "Repeatedly pick the smallest remaining element to build the sorted list."],
       [(([64, 25, 12, 22, 11],), [11, 12, 22, 25, 64]), (([],), []), (([2, 1],), [1, 2]),
        (([5, 5, 1],), [1, 5, 5]), (([0],), [0])],
       "def selection_sort(xs):\n    a = list(xs)\n    for i in range(len(a)):\n"
       "        m = min(range(i, len(a)), key=a.__getitem__)\n        a[i], a[m] = a[m], a[i]\n"
       "    return a",
       "function selectionSort(xs) {\n  const a = [...xs];\n"
       "  for (let i = 0; i < a.length; i++) {\n    let m = i;\n"
       "    for (let j = i + 1; j < a.length; j++) if (a[j] < a[m]) m = j;\n"
       "    [a[i], a[m]] = [a[m], a[i]];\n  }\n  return a;\n}",
       "class Solution {\n  static int[] selectionSort(int[] xs) {\n    int[] a = xs.clone();\n"
       "    for (int i = 0; i < a.length; i++) {\n      int m = i;\n"
       "      for (int j = i + 1; j < a.length; j++) if (a[j] < a[m]) m = j;\n"
       "      int t = a[i]; a[i] = a[m]; a[m] = t;\n    }\n    return a;\n  }\n}",
       "func selectionSort(xs []int) []int {\n\ta := append([]int{}, xs...)\n"
       "\tfor i := range a {\n\t\tm := i\n\t\tfor j := i + 1; j < len(a); j++ {\n"
       "\t\t\tif a[j] < a[m] {\n\t\t\t\tm = j\n\t\t\t}\n\t\t}\n\t\ta[i], a[m] = a[m], a[i]\n\t}\n"
       "\treturn a\n}"),
]
