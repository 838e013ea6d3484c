"""Arithmetic, conditionals, loops and recursion."""

from adjax_code.tasks import task as T

TASKS = [
    T("add_two", "arithmetic", "add_two(a: int, b: int) -> int",
      ["Return the sum of two integers a and b.", "Add a and b and return the result.",
       "Compute a plus b."],
      [((2, 3), 5), ((-1, 1), 0), ((0, 0), 0), ((100, -250), -150), ((7, 8), 15)],
      python="def add_two(a, b):\n    return a + b",
      javascript="function addTwo(a, b) {\n  return a + b;\n}",
      typescript="function addTwo(a: number, b: number): number {\n  return a + b;\n}",
      java="class Solution {\n  static int addTwo(int a, int b) {\n    return a + b;\n  }\n}",
      go="func addTwo(a int, b int) int {\n\treturn a + b\n}"),
    T("absolute_difference", "arithmetic", "absolute_difference(a: int, b: int) -> int",
      ["Return the absolute difference between a and b.",
       "Compute how far apart the integers a and b are.", "Return |a - b|."],
      [((5, 3), 2), ((3, 5), 2), ((-4, 4), 8), ((0, 0), 0), ((-10, -3), 7)],
      python="def absolute_difference(a, b):\n    return abs(a - b)",
      javascript="function absoluteDifference(a, b) {\n  return Math.abs(a - b);\n}",
      typescript="function absoluteDifference(a: number, b: number): number {\n"
                 "  return Math.abs(a - b);\n}",
      java="class Solution {\n  static int absoluteDifference(int a, int b) {\n"
           "    return Math.abs(a - b);\n  }\n}",
      go="func absoluteDifference(a int, b int) int {\n\tif a > b {\n\t\treturn a - b\n\t}\n"
         "\treturn b - a\n}"),
    T("square", "arithmetic", "square(n: int) -> int",
      ["Return n squared.", "Compute the square of the integer n.", "Multiply n by itself."],
      [((3,), 9), ((-4,), 16), ((0,), 0), ((1,), 1), ((12,), 144)],
      python="def square(n):\n    return n * n",
      javascript="function square(n) {\n  return n * n;\n}",
      typescript="function square(n: number): number {\n  return n * n;\n}",
      java="class Solution {\n  static int square(int n) {\n    return n * n;\n  }\n}",
      go="func square(n int) int {\n\treturn n * n\n}"),
    T("max_of_three", "conditionals", "max_of_three(a: int, b: int, c: int) -> int",
      ["Return the largest of three integers.", "Given a, b and c, return the maximum.",
       "Find the biggest of the three numbers a, b, c."],
      [((1, 2, 3), 3), ((3, 2, 1), 3), ((-1, -5, -3), -1), ((4, 9, 9), 9), ((0, 0, 0), 0)],
      python="def max_of_three(a, b, c):\n    return max(a, b, c)",
      javascript="function maxOfThree(a, b, c) {\n  return Math.max(a, b, c);\n}",
      typescript="function maxOfThree(a: number, b: number, c: number): number {\n"
                 "  return Math.max(a, b, c);\n}",
      java="class Solution {\n  static int maxOfThree(int a, int b, int c) {\n"
           "    return Math.max(a, Math.max(b, c));\n  }\n}",
      go="func maxOfThree(a int, b int, c int) int {\n\tm := a\n\tif b > m {\n\t\tm = b\n\t}\n"
         "\tif c > m {\n\t\tm = c\n\t}\n\treturn m\n}"),
    T("is_even", "conditionals", "is_even(n: int) -> bool",
      ["Return true if n is even.", "Check whether the integer n is divisible by 2.",
       "Decide if n is an even number."],
      [((4,), True), ((7,), False), ((0,), True), ((-3,), False), ((-8,), True)],
      python="def is_even(n):\n    return n % 2 == 0",
      javascript="function isEven(n) {\n  return n % 2 === 0;\n}",
      typescript="function isEven(n: number): boolean {\n  return n % 2 === 0;\n}",
      java="class Solution {\n  static boolean isEven(int n) {\n    return n % 2 == 0;\n  }\n}",
      go="func isEven(n int) bool {\n\treturn n%2 == 0\n}"),
    T("sign", "conditionals", "sign(n: int) -> int",
      ["Return 1 if n is positive, -1 if negative and 0 if zero.",
       "Compute the sign of the integer n.", "Give the signum of n as -1, 0 or 1."],
      [((5,), 1), ((-2,), -1), ((0,), 0), ((100,), 1), ((-999,), -1)],
      python="def sign(n):\n    if n > 0:\n        return 1\n    if n < 0:\n        return -1\n"
             "    return 0",
      javascript="function sign(n) {\n  if (n > 0) return 1;\n  if (n < 0) return -1;\n"
                 "  return 0;\n}",
      typescript="function sign(n: number): number {\n  if (n > 0) return 1;\n"
                 "  if (n < 0) return -1;\n  return 0;\n}",
      java="class Solution {\n  static int sign(int n) {\n    if (n > 0) return 1;\n"
           "    if (n < 0) return -1;\n    return 0;\n  }\n}",
      go="func sign(n int) int {\n\tif n > 0 {\n\t\treturn 1\n\t}\n\tif n < 0 {\n"
         "\t\treturn -1\n\t}\n\treturn 0\n}"),
    T("is_leap_year", "conditionals", "is_leap_year(year: int) -> bool",
      ["Return true if the year is a leap year in the Gregorian calendar.",
       "Decide whether a year is a leap year (divisible by 4, except centuries not "
       "divisible by 400).", "Check if year has 366 days."],
      [((2000,), True), ((1900,), False), ((2024,), True), ((2023,), False), ((2400,), True)],
      python="def is_leap_year(year):\n"
             "    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)",
      javascript="function isLeapYear(year) {\n"
                 "  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);\n}",
      typescript="function isLeapYear(year: number): boolean {\n"
                 "  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);\n}",
      java="class Solution {\n  static boolean isLeapYear(int year) {\n"
           "    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);\n  }\n}",
      go="func isLeapYear(year int) bool {\n"
         "\treturn year%4 == 0 && (year%100 != 0 || year%400 == 0)\n}"),
    T("fizzbuzz_word", "conditionals", "fizzbuzz_word(n: int) -> str",
      ["Return \"FizzBuzz\" if n is divisible by 15, \"Fizz\" if by 3, \"Buzz\" if by 5, "
       "otherwise n as a string.", "Give the FizzBuzz word for the number n.",
       "Apply the FizzBuzz rule to n and return the text."],
      [((3,), "Fizz"), ((5,), "Buzz"), ((15,), "FizzBuzz"), ((7,), "7"), ((30,), "FizzBuzz")],
      python="def fizzbuzz_word(n):\n    if n % 15 == 0:\n        return \"FizzBuzz\"\n"
             "    if n % 3 == 0:\n        return \"Fizz\"\n    if n % 5 == 0:\n"
             "        return \"Buzz\"\n    return str(n)",
      javascript="function fizzbuzzWord(n) {\n  if (n % 15 === 0) return \"FizzBuzz\";\n"
                 "  if (n % 3 === 0) return \"Fizz\";\n  if (n % 5 === 0) return \"Buzz\";\n"
                 "  return String(n);\n}",
      typescript="function fizzbuzzWord(n: number): string {\n"
                 "  if (n % 15 === 0) return \"FizzBuzz\";\n  if (n % 3 === 0) return \"Fizz\";\n"
                 "  if (n % 5 === 0) return \"Buzz\";\n  return String(n);\n}",
      java="class Solution {\n  static String fizzbuzzWord(int n) {\n"
           "    if (n % 15 == 0) return \"FizzBuzz\";\n    if (n % 3 == 0) return \"Fizz\";\n"
           "    if (n % 5 == 0) return \"Buzz\";\n    return String.valueOf(n);\n  }\n}",
      go="import \"fmt\"\n\nfunc fizzbuzzWord(n int) string {\n\tif n%15 == 0 {\n\t\treturn \"FizzBuzz\"\n\t}\n"
         "\tif n%3 == 0 {\n\t\treturn \"Fizz\"\n\t}\n\tif n%5 == 0 {\n\t\treturn \"Buzz\"\n"
         "\t}\n\treturn fmt.Sprint(n)\n}"),
    T("clamp", "conditionals", "clamp(x: int, lo: int, hi: int) -> int",
      ["Clamp x to the range [lo, hi].", "Return x limited to lie between lo and hi.",
       "If x is below lo return lo, above hi return hi, else x."],
      [((5, 0, 10), 5), ((-3, 0, 10), 0), ((15, 0, 10), 10), ((0, 0, 0), 0), ((7, 7, 9), 7)],
      python="def clamp(x, lo, hi):\n    return max(lo, min(x, hi))",
      javascript="function clamp(x, lo, hi) {\n  return Math.max(lo, Math.min(x, hi));\n}",
      typescript="function clamp(x: number, lo: number, hi: number): number {\n"
                 "  return Math.max(lo, Math.min(x, hi));\n}",
      java="class Solution {\n  static int clamp(int x, int lo, int hi) {\n"
           "    return Math.max(lo, Math.min(x, hi));\n  }\n}",
      go="func clamp(x int, lo int, hi int) int {\n\tif x < lo {\n\t\treturn lo\n\t}\n"
         "\tif x > hi {\n\t\treturn hi\n\t}\n\treturn x\n}"),
    T("sum_to_n", "loops", "sum_to_n(n: int) -> int",
      ["Return the sum of the integers from 1 to n.", "Add up 1 + 2 + ... + n.",
       "Compute the n-th triangular number."],
      [((1,), 1), ((5,), 15), ((0,), 0), ((10,), 55), ((100,), 5050)],
      python="def sum_to_n(n):\n    total = 0\n    for i in range(1, n + 1):\n"
             "        total += i\n    return total",
      javascript="function sumToN(n) {\n  let total = 0;\n  for (let i = 1; i <= n; i++) "
                 "total += i;\n  return total;\n}",
      typescript="function sumToN(n: number): number {\n  let total = 0;\n"
                 "  for (let i = 1; i <= n; i++) total += i;\n  return total;\n}",
      java="class Solution {\n  static int sumToN(int n) {\n    int total = 0;\n"
           "    for (int i = 1; i <= n; i++) total += i;\n    return total;\n  }\n}",
      go="func sumToN(n int) int {\n\ttotal := 0\n\tfor i := 1; i <= n; i++ {\n"
         "\t\ttotal += i\n\t}\n\treturn total\n}"),
    T("factorial", "recursion", "factorial(n: int) -> int",
      ["Return n factorial.", "Compute n! for a non-negative integer n.",
       "Multiply all integers from 1 to n; 0! is 1."],
      [((0,), 1), ((1,), 1), ((5,), 120), ((7,), 5040), ((10,), 3628800)],
      python="def factorial(n):\n    return 1 if n <= 1 else n * factorial(n - 1)",
      javascript="function factorial(n) {\n  return n <= 1 ? 1 : n * factorial(n - 1);\n}",
      typescript="function factorial(n: number): number {\n"
                 "  return n <= 1 ? 1 : n * factorial(n - 1);\n}",
      java="class Solution {\n  static int factorial(int n) {\n"
           "    return n <= 1 ? 1 : n * factorial(n - 1);\n  }\n}",
      go="func factorial(n int) int {\n\tif n <= 1 {\n\t\treturn 1\n\t}\n"
         "\treturn n * factorial(n-1)\n}"),
    T("fibonacci", "recursion", "fibonacci(n: int) -> int",
      ["Return the n-th Fibonacci number, with fibonacci(0) = 0 and fibonacci(1) = 1.",
       "Compute the Fibonacci number at index n.", "Give F(n) of the Fibonacci sequence."],
      [((0,), 0), ((1,), 1), ((2,), 1), ((10,), 55), ((20,), 6765)],
      python="def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n"
             "        a, b = b, a + b\n    return a",
      javascript="function fibonacci(n) {\n  let a = 0, b = 1;\n"
                 "  for (let i = 0; i < n; i++) [a, b] = [b, a + b];\n  return a;\n}",
      typescript="function fibonacci(n: number): number {\n  let a = 0, b = 1;\n"
                 "  for (let i = 0; i < n; i++) [a, b] = [b, a + b];\n  return a;\n}",
      java="class Solution {\n  static int fibonacci(int n) {\n    int a = 0, b = 1;\n"
           "    for (int i = 0; i < n; i++) { int t = a + b; a = b; b = t; }\n"
           "    return a;\n  }\n}",
      go="func fibonacci(n int) int {\n\ta, b := 0, 1\n\tfor i := 0; i < n; i++ {\n"
         "\t\ta, b = b, a+b\n\t}\n\treturn a\n}"),
    T("power", "recursion", "power(base: int, exp: int) -> int",
      ["Return base raised to the power exp (exp >= 0).", "Compute base to the exp.",
       "Raise base to a non-negative integer exponent."],
      [((2, 10), 1024), ((3, 0), 1), ((5, 3), 125), ((-2, 3), -8), ((1, 50), 1)],
      python="def power(base, exp):\n    result = 1\n    for _ in range(exp):\n"
             "        result *= base\n    return result",
      javascript="function power(base, exp) {\n  let r = 1;\n  for (let i = 0; i < exp; i++) "
                 "r *= base;\n  return r;\n}",
      typescript="function power(base: number, exp: number): number {\n  let r = 1;\n"
                 "  for (let i = 0; i < exp; i++) r *= base;\n  return r;\n}",
      java="class Solution {\n  static int power(int base, int exp) {\n    int r = 1;\n"
           "    for (int i = 0; i < exp; i++) r *= base;\n    return r;\n  }\n}",
      go="func power(base int, exp int) int {\n\tr := 1\n\tfor i := 0; i < exp; i++ {\n"
         "\t\tr *= base\n\t}\n\treturn r\n}"),
    T("gcd", "recursion", "gcd(a: int, b: int) -> int",
      ["Return the greatest common divisor of two non-negative integers.",
       "Compute gcd(a, b) with Euclid's algorithm.",
       "Find the largest integer dividing both a and b."],
      [((12, 18), 6), ((17, 5), 1), ((0, 9), 9), ((100, 75), 25), ((7, 0), 7)],
      python="def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a",
      javascript="function gcd(a, b) {\n  while (b) [a, b] = [b, a % b];\n  return a;\n}",
      typescript="function gcd(a: number, b: number): number {\n"
                 "  while (b) [a, b] = [b, a % b];\n  return a;\n}",
      java="class Solution {\n  static int gcd(int a, int b) {\n"
           "    return b == 0 ? a : gcd(b, a % b);\n  }\n}",
      go="func gcd(a int, b int) int {\n\tfor b != 0 {\n\t\ta, b = b, a%b\n\t}\n\treturn a\n}"),
    T("lcm", "arithmetic", "lcm(a: int, b: int) -> int",
      ["Return the least common multiple of two positive integers.",
       "Compute lcm(a, b).", "Find the smallest positive number divisible by a and b."],
      [((4, 6), 12), ((3, 5), 15), ((7, 7), 7), ((1, 9), 9), ((12, 18), 36)],
      python="def lcm(a, b):\n    x, y = a, b\n    while y:\n        x, y = y, x % y\n"
             "    return a // x * b",
      javascript="function lcm(a, b) {\n  let x = a, y = b;\n  while (y) [x, y] = [y, x % y];\n"
                 "  return (a / x) * b;\n}",
      typescript="function lcm(a: number, b: number): number {\n  let x = a, y = b;\n"
                 "  while (y) [x, y] = [y, x % y];\n  return (a / x) * b;\n}",
      java="class Solution {\n  static int lcm(int a, int b) {\n    int x = a, y = b;\n"
           "    while (y != 0) { int t = x % y; x = y; y = t; }\n    return a / x * b;\n  }\n}",
      go="func lcm(a int, b int) int {\n\tx, y := a, b\n\tfor y != 0 {\n\t\tx, y = y, x%y\n"
         "\t}\n\treturn a / x * b\n}"),
    T("is_prime", "loops", "is_prime(n: int) -> bool",
      ["Return true if n is a prime number.", "Check whether n is prime.",
       "Decide if n has no divisors other than 1 and itself (n >= 2)."],
      [((2,), True), ((1,), False), ((17,), True), ((21,), False), ((97,), True),
       ((0,), False)],
      python="def is_prime(n):\n    if n < 2:\n        return False\n    i = 2\n"
             "    while i * i <= n:\n        if n % i == 0:\n            return False\n"
             "        i += 1\n    return True",
      javascript="function isPrime(n) {\n  if (n < 2) return false;\n"
                 "  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;\n"
                 "  return true;\n}",
      typescript="function isPrime(n: number): boolean {\n  if (n < 2) return false;\n"
                 "  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;\n"
                 "  return true;\n}",
      java="class Solution {\n  static boolean isPrime(int n) {\n    if (n < 2) return false;\n"
           "    for (int i = 2; i * i <= n; i++) if (n % i == 0) return false;\n"
           "    return true;\n  }\n}",
      go="func isPrime(n int) bool {\n\tif n < 2 {\n\t\treturn false\n\t}\n"
         "\tfor i := 2; i*i <= n; i++ {\n\t\tif n%i == 0 {\n\t\t\treturn false\n\t\t}\n\t}\n"
         "\treturn true\n}"),
    T("count_digits", "loops", "count_digits(n: int) -> int",
      ["Return the number of decimal digits of n (ignore the sign).",
       "Count how many digits the integer n has.", "How many digits are in |n|?"],
      [((0,), 1), ((7,), 1), ((12345,), 5), ((-908,), 3), ((1000000,), 7)],
      python="def count_digits(n):\n    return len(str(abs(n)))",
      javascript="function countDigits(n) {\n  return String(Math.abs(n)).length;\n}",
      typescript="function countDigits(n: number): number {\n"
                 "  return String(Math.abs(n)).length;\n}",
      java="class Solution {\n  static int countDigits(int n) {\n"
           "    return String.valueOf(Math.abs(n)).length();\n  }\n}",
      go="func countDigits(n int) int {\n\tif n < 0 {\n\t\tn = -n\n\t}\n\tcount := 1\n"
         "\tfor n >= 10 {\n\t\tn /= 10\n\t\tcount++\n\t}\n\treturn count\n}"),
    T("digit_sum", "loops", "digit_sum(n: int) -> int",
      ["Return the sum of the decimal digits of n (ignore the sign).",
       "Add up the digits of the integer n.", "Compute the digit sum of |n|."],
      [((123,), 6), ((0,), 0), ((-45,), 9), ((9999,), 36), ((1000,), 1)],
      python="def digit_sum(n):\n    return sum(int(d) for d in str(abs(n)))",
      javascript="function digitSum(n) {\n  let s = 0;\n  n = Math.abs(n);\n"
                 "  while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n  return s;\n}",
      typescript="function digitSum(n: number): number {\n  let s = 0;\n  n = Math.abs(n);\n"
                 "  while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n  return s;\n}",
      java="class Solution {\n  static int digitSum(int n) {\n    int s = 0;\n"
           "    n = Math.abs(n);\n    while (n > 0) { s += n % 10; n /= 10; }\n"
           "    return s;\n  }\n}",
      go="func digitSum(n int) int {\n\tif n < 0 {\n\t\tn = -n\n\t}\n\ts := 0\n"
         "\tfor n > 0 {\n\t\ts += n % 10\n\t\tn /= 10\n\t}\n\treturn s\n}"),
    T("reverse_number", "loops", "reverse_number(n: int) -> int",
      ["Reverse the digits of a non-negative integer.",
       "Return n with its decimal digits in reverse order.",
       "Write the digits of n backwards and return that number."],
      [((123,), 321), ((0,), 0), ((1200,), 21), ((5,), 5), ((90817,), 71809)],
      python="def reverse_number(n):\n    r = 0\n    while n > 0:\n"
             "        r = r * 10 + n % 10\n        n //= 10\n    return r",
      javascript="function reverseNumber(n) {\n  let r = 0;\n"
                 "  while (n > 0) { r = r * 10 + n % 10; n = Math.floor(n / 10); }\n"
                 "  return r;\n}",
      typescript="function reverseNumber(n: number): number {\n  let r = 0;\n"
                 "  while (n > 0) { r = r * 10 + n % 10; n = Math.floor(n / 10); }\n"
                 "  return r;\n}",
      java="class Solution {\n  static int reverseNumber(int n) {\n    int r = 0;\n"
           "    while (n > 0) { r = r * 10 + n % 10; n /= 10; }\n    return r;\n  }\n}",
      go="func reverseNumber(n int) int {\n\tr := 0\n\tfor n > 0 {\n\t\tr = r*10 + n%10\n"
         "\t\tn /= 10\n\t}\n\treturn r\n}"),
    T("is_palindrome_number", "loops", "is_palindrome_number(n: int) -> bool",
      ["Return true if the non-negative integer n reads the same backwards.",
       "Check whether the digits of n form a palindrome.",
       "Is n a palindromic number?"],
      [((121,), True), ((123,), False), ((0,), True), ((1221,), True), ((10,), False)],
      python="def is_palindrome_number(n):\n    s = str(n)\n    return s == s[::-1]",
      javascript="function isPalindromeNumber(n) {\n  const s = String(n);\n"
                 "  return s === s.split(\"\").reverse().join(\"\");\n}",
      typescript="function isPalindromeNumber(n: number): boolean {\n  const s = String(n);\n"
                 "  return s === s.split(\"\").reverse().join(\"\");\n}",
      java="class Solution {\n  static boolean isPalindromeNumber(int n) {\n"
           "    String s = String.valueOf(n);\n"
           "    return s.equals(new StringBuilder(s).reverse().toString());\n  }\n}",
      go="func isPalindromeNumber(n int) bool {\n\tr, m := 0, n\n\tfor m > 0 {\n"
         "\t\tr = r*10 + m%10\n\t\tm /= 10\n\t}\n\treturn r == n\n}"),
    T("collatz_steps", "loops", "collatz_steps(n: int) -> int",
      ["Return how many Collatz steps it takes for n to reach 1.",
       "Count steps of n -> n/2 (even) or 3n+1 (odd) until n becomes 1.",
       "Compute the Collatz stopping time of a positive integer n."],
      [((1,), 0), ((2,), 1), ((6,), 8), ((7,), 16), ((27,), 111)],
      python="def collatz_steps(n):\n    steps = 0\n    while n != 1:\n"
             "        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        steps += 1\n"
             "    return steps",
      javascript="function collatzSteps(n) {\n  let steps = 0;\n"
                 "  while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }\n"
                 "  return steps;\n}",
      typescript="function collatzSteps(n: number): number {\n  let steps = 0;\n"
                 "  while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }\n"
                 "  return steps;\n}",
      java="class Solution {\n  static int collatzSteps(int n) {\n    int steps = 0;\n"
           "    while (n != 1) { n = n % 2 == 0 ? n / 2 : 3 * n + 1; steps++; }\n"
           "    return steps;\n  }\n}",
      go="func collatzSteps(n int) int {\n\tsteps := 0\n\tfor n != 1 {\n"
         "\t\tif n%2 == 0 {\n\t\t\tn /= 2\n\t\t} else {\n\t\t\tn = 3*n + 1\n\t\t}\n"
         "\t\tsteps++\n\t}\n\treturn steps\n}"),
    T("count_divisors", "loops", "count_divisors(n: int) -> int",
      ["Return the number of positive divisors of n.",
       "Count the integers from 1 to n that divide n.", "How many divisors does n have?"],
      [((1,), 1), ((6,), 4), ((7,), 2), ((12,), 6), ((36,), 9)],
      python="def count_divisors(n):\n    return sum(1 for d in range(1, n + 1) if n % d == 0)",
      javascript="function countDivisors(n) {\n  let c = 0;\n"
                 "  for (let d = 1; d <= n; d++) if (n % d === 0) c++;\n  return c;\n}",
      typescript="function countDivisors(n: number): number {\n  let c = 0;\n"
                 "  for (let d = 1; d <= n; d++) if (n % d === 0) c++;\n  return c;\n}",
      java="class Solution {\n  static int countDivisors(int n) {\n    int c = 0;\n"
           "    for (int d = 1; d <= n; d++) if (n % d == 0) c++;\n    return c;\n  }\n}",
      go="func countDivisors(n int) int {\n\tc := 0\n\tfor d := 1; d <= n; d++ {\n"
         "\t\tif n%d == 0 {\n\t\t\tc++\n\t\t}\n\t}\n\treturn c\n}"),
    T("is_perfect_number", "loops", "is_perfect_number(n: int) -> bool",
      ["Return true if n equals the sum of its proper divisors.",
       "Check whether n is a perfect number.",
       "Decide if the divisors of n smaller than n add up to n."],
      [((6,), True), ((28,), True), ((12,), False), ((1,), False), ((496,), True)],
      python="def is_perfect_number(n):\n"
             "    return n > 1 and sum(d for d in range(1, n) if n % d == 0) == n",
      javascript="function isPerfectNumber(n) {\n  let s = 0;\n"
                 "  for (let d = 1; d < n; d++) if (n % d === 0) s += d;\n"
                 "  return n > 1 && s === n;\n}",
      typescript="function isPerfectNumber(n: number): boolean {\n  let s = 0;\n"
                 "  for (let d = 1; d < n; d++) if (n % d === 0) s += d;\n"
                 "  return n > 1 && s === n;\n}",
      java="class Solution {\n  static boolean isPerfectNumber(int n) {\n    int s = 0;\n"
           "    for (int d = 1; d < n; d++) if (n % d == 0) s += d;\n"
           "    return n > 1 && s == n;\n  }\n}",
      go="func isPerfectNumber(n int) bool {\n\ts := 0\n\tfor d := 1; d < n; d++ {\n"
         "\t\tif n%d == 0 {\n\t\t\ts += d\n\t\t}\n\t}\n\treturn n > 1 && s == n\n}"),
    T("sum_of_squares", "loops", "sum_of_squares(n: int) -> int",
      ["Return 1^2 + 2^2 + ... + n^2.", "Sum the squares of the integers from 1 to n.",
       "Compute the sum of squares up to n."],
      [((1,), 1), ((3,), 14), ((0,), 0), ((10,), 385), ((5,), 55)],
      python="def sum_of_squares(n):\n    return sum(i * i for i in range(1, n + 1))",
      javascript="function sumOfSquares(n) {\n  let s = 0;\n"
                 "  for (let i = 1; i <= n; i++) s += i * i;\n  return s;\n}",
      typescript="function sumOfSquares(n: number): number {\n  let s = 0;\n"
                 "  for (let i = 1; i <= n; i++) s += i * i;\n  return s;\n}",
      java="class Solution {\n  static int sumOfSquares(int n) {\n    int s = 0;\n"
           "    for (int i = 1; i <= n; i++) s += i * i;\n    return s;\n  }\n}",
      go="func sumOfSquares(n int) int {\n\ts := 0\n\tfor i := 1; i <= n; i++ {\n"
         "\t\ts += i * i\n\t}\n\treturn s\n}"),
    T("integer_sqrt", "arithmetic", "integer_sqrt(n: int) -> int",
      ["Return the floor of the square root of a non-negative integer n.",
       "Compute the largest integer r with r*r <= n.", "Find the integer square root of n."],
      [((0,), 0), ((1,), 1), ((15,), 3), ((16,), 4), ((1000000,), 1000)],
      python="def integer_sqrt(n):\n    r = 0\n    while (r + 1) * (r + 1) <= n:\n"
             "        r += 1\n    return r",
      javascript="function integerSqrt(n) {\n  let r = 0;\n"
                 "  while ((r + 1) * (r + 1) <= n) r++;\n  return r;\n}",
      typescript="function integerSqrt(n: number): number {\n  let r = 0;\n"
                 "  while ((r + 1) * (r + 1) <= n) r++;\n  return r;\n}",
      java="class Solution {\n  static int integerSqrt(int n) {\n    int r = 0;\n"
           "    while ((long) (r + 1) * (r + 1) <= n) r++;\n    return r;\n  }\n}",
      go="func integerSqrt(n int) int {\n\tr := 0\n\tfor (r+1)*(r+1) <= n {\n\t\tr++\n\t}\n"
         "\treturn r\n}"),
    T("celsius_to_fahrenheit", "arithmetic", "celsius_to_fahrenheit(c: int) -> int",
      ["Convert whole degrees Celsius to Fahrenheit, rounding down: c * 9 / 5 + 32.",
       "Return the Fahrenheit temperature for c degrees Celsius (integer division).",
       "Compute floor(c * 9 / 5) + 32."],
      [((0,), 32), ((100,), 212), ((-40,), -40), ((37,), 98), ((25,), 77)],
      python="def celsius_to_fahrenheit(c):\n    return c * 9 // 5 + 32",
      javascript="function celsiusToFahrenheit(c) {\n  return Math.floor(c * 9 / 5) + 32;\n}",
      typescript="function celsiusToFahrenheit(c: number): number {\n"
                 "  return Math.floor(c * 9 / 5) + 32;\n}",
      java="class Solution {\n  static int celsiusToFahrenheit(int c) {\n"
           "    return Math.floorDiv(c * 9, 5) + 32;\n  }\n}",
      go="func celsiusToFahrenheit(c int) int {\n\tv := c * 9\n\tq := v / 5\n"
         "\tif v%5 != 0 && v < 0 {\n\t\tq--\n\t}\n\treturn q + 32\n}"),
    T("seconds_to_minutes", "arithmetic", "seconds_to_minutes(seconds: int) -> str",
      ["Format a number of seconds as minutes and seconds, like \"2:05\".",
       "Return seconds as \"M:SS\" with two-digit seconds.",
       "Convert a duration in seconds to the text minutes:seconds."],
      [((125,), "2:05"), ((0,), "0:00"), ((59,), "0:59"), ((60,), "1:00"), ((3601,), "60:01")],
      python="def seconds_to_minutes(seconds):\n"
             "    return f\"{seconds // 60}:{seconds % 60:02d}\"",
      javascript="function secondsToMinutes(seconds) {\n"
                 "  return Math.floor(seconds / 60) + \":\" + String(seconds % 60).padStart(2, "
                 "\"0\");\n}",
      typescript="function secondsToMinutes(seconds: number): string {\n"
                 "  return Math.floor(seconds / 60) + \":\" + String(seconds % 60).padStart(2, "
                 "\"0\");\n}",
      java="class Solution {\n  static String secondsToMinutes(int seconds) {\n"
           "    return String.format(\"%d:%02d\", seconds / 60, seconds % 60);\n  }\n}",
      go="import \"fmt\"\n\nfunc secondsToMinutes(seconds int) string {\n"
         "\treturn fmt.Sprintf(\"%d:%02d\", seconds/60, seconds%60)\n}"),
    T("number_of_trailing_zeros", "loops", "number_of_trailing_zeros(n: int) -> int",
      ["Return how many zeros end the decimal form of a positive integer n.",
       "Count the trailing zero digits of n.", "How many times does 10 divide n?"],
      [((100,), 2), ((7,), 0), ((1010,), 1), ((5000,), 3), ((1,), 0)],
      python="def number_of_trailing_zeros(n):\n    count = 0\n    while n % 10 == 0:\n"
             "        n //= 10\n        count += 1\n    return count",
      javascript="function numberOfTrailingZeros(n) {\n  let c = 0;\n"
                 "  while (n % 10 === 0) { n /= 10; c++; }\n  return c;\n}",
      typescript="function numberOfTrailingZeros(n: number): number {\n  let c = 0;\n"
                 "  while (n % 10 === 0) { n /= 10; c++; }\n  return c;\n}",
      java="class Solution {\n  static int numberOfTrailingZeros(int n) {\n    int c = 0;\n"
           "    while (n % 10 == 0) { n /= 10; c++; }\n    return c;\n  }\n}",
      go="func numberOfTrailingZeros(n int) int {\n\tc := 0\n\tfor n%10 == 0 {\n"
         "\t\tn /= 10\n\t\tc++\n\t}\n\treturn c\n}"),
    T("binary_string", "loops", "binary_string(n: int) -> str",
      ["Return the binary representation of a non-negative integer as a string.",
       "Convert n to base 2 text without a prefix.", "Write n in binary."],
      [((0,), "0"), ((5,), "101"), ((8,), "1000"), ((255,), "11111111"), ((1,), "1")],
      python="def binary_string(n):\n    return bin(n)[2:]",
      javascript="function binaryString(n) {\n  return n.toString(2);\n}",
      typescript="function binaryString(n: number): string {\n  return n.toString(2);\n}",
      java="class Solution {\n  static String binaryString(int n) {\n"
           "    return Integer.toBinaryString(n);\n  }\n}",
      go="import \"fmt\"\n\nfunc binaryString(n int) string {\n\treturn fmt.Sprintf(\"%b\", n)\n}"),
    T("count_set_bits", "loops", "count_set_bits(n: int) -> int",
      ["Return the number of 1 bits in the binary form of a non-negative integer.",
       "Count the set bits of n.", "Compute the population count of n."],
      [((0,), 0), ((7,), 3), ((8,), 1), ((255,), 8), ((1023,), 10)],
      python="def count_set_bits(n):\n    return bin(n).count(\"1\")",
      javascript="function countSetBits(n) {\n  let c = 0;\n"
                 "  while (n > 0) { c += n & 1; n >>= 1; }\n  return c;\n}",
      typescript="function countSetBits(n: number): number {\n  let c = 0;\n"
                 "  while (n > 0) { c += n & 1; n >>= 1; }\n  return c;\n}",
      java="class Solution {\n  static int countSetBits(int n) {\n"
           "    return Integer.bitCount(n);\n  }\n}",
      go="func countSetBits(n int) int {\n\tc := 0\n\tfor n > 0 {\n\t\tc += n & 1\n"
         "\t\tn >>= 1\n\t}\n\treturn c\n}"),
    T("is_power_of_two", "conditionals", "is_power_of_two(n: int) -> bool",
      ["Return true if n is a power of two.", "Check whether n equals 2^k for some k >= 0.",
       "Decide if the integer n is a power of 2."],
      [((1,), True), ((16,), True), ((18,), False), ((0,), False), ((1024,), True)],
      python="def is_power_of_two(n):\n    return n > 0 and n & (n - 1) == 0",
      javascript="function isPowerOfTwo(n) {\n  return n > 0 && (n & (n - 1)) === 0;\n}",
      typescript="function isPowerOfTwo(n: number): boolean {\n"
                 "  return n > 0 && (n & (n - 1)) === 0;\n}",
      java="class Solution {\n  static boolean isPowerOfTwo(int n) {\n"
           "    return n > 0 && (n & (n - 1)) == 0;\n  }\n}",
      go="func isPowerOfTwo(n int) bool {\n\treturn n > 0 && n&(n-1) == 0\n}"),
    T("triangle_type", "conditionals", "triangle_type(a: int, b: int, c: int) -> str",
      ["Classify a triangle by its sides as \"equilateral\", \"isosceles\", \"scalene\" or "
       "\"invalid\".", "Return the kind of triangle with side lengths a, b, c.",
       "Given three side lengths, name the triangle type, or invalid if impossible."],
      [((3, 3, 3), "equilateral"), ((3, 3, 5), "isosceles"), ((3, 4, 5), "scalene"),
       ((1, 2, 3), "invalid"), ((5, 3, 5), "isosceles")],
      python="def triangle_type(a, b, c):\n    x, y, z = sorted((a, b, c))\n"
             "    if x <= 0 or x + y <= z:\n        return \"invalid\"\n"
             "    if x == z:\n        return \"equilateral\"\n"
             "    if x == y or y == z:\n        return \"isosceles\"\n    return \"scalene\"",
      javascript="function triangleType(a, b, c) {\n"
                 "  const [x, y, z] = [a, b, c].sort((p, q) => p - q);\n"
                 "  if (x <= 0 || x + y <= z) return \"invalid\";\n"
                 "  if (x === z) return \"equilateral\";\n"
                 "  if (x === y || y === z) return \"isosceles\";\n  return \"scalene\";\n}",
      typescript="function triangleType(a: number, b: number, c: number): string {\n"
                 "  const [x, y, z] = [a, b, c].sort((p, q) => p - q);\n"
                 "  if (x <= 0 || x + y <= z) return \"invalid\";\n"
                 "  if (x === z) return \"equilateral\";\n"
                 "  if (x === y || y === z) return \"isosceles\";\n  return \"scalene\";\n}",
      java="class Solution {\n  static String triangleType(int a, int b, int c) {\n"
           "    int[] s = {a, b, c};\n    java.util.Arrays.sort(s);\n"
           "    if (s[0] <= 0 || s[0] + s[1] <= s[2]) return \"invalid\";\n"
           "    if (s[0] == s[2]) return \"equilateral\";\n"
           "    if (s[0] == s[1] || s[1] == s[2]) return \"isosceles\";\n"
           "    return \"scalene\";\n  }\n}",
      go="import \"sort\"\n\nfunc triangleType(a int, b int, c int) string {\n\ts := []int{a, b, c}\n"
         "\tsort.Ints(s)\n\tif s[0] <= 0 || s[0]+s[1] <= s[2] {\n\t\treturn \"invalid\"\n\t}\n"
         "\tif s[0] == s[2] {\n\t\treturn \"equilateral\"\n\t}\n"
         "\tif s[0] == s[1] || s[1] == s[2] {\n\t\treturn \"isosceles\"\n\t}\n"
         "\treturn \"scalene\"\n}"),
    T("grade_letter", "conditionals", "grade_letter(score: int) -> str",
      ["Return the letter grade for a score: A for 90+, B for 80+, C for 70+, D for 60+, "
       "otherwise F.", "Map a numeric score to a letter grade A-F.",
       "Convert a percentage score into A, B, C, D or F."],
      [((95,), "A"), ((80,), "B"), ((79,), "C"), ((60,), "D"), ((12,), "F")],
      python="def grade_letter(score):\n    for limit, letter in ((90, \"A\"), (80, \"B\"), "
             "(70, \"C\"), (60, \"D\")):\n        if score >= limit:\n            return letter\n"
             "    return \"F\"",
      javascript="function gradeLetter(score) {\n  if (score >= 90) return \"A\";\n"
                 "  if (score >= 80) return \"B\";\n  if (score >= 70) return \"C\";\n"
                 "  if (score >= 60) return \"D\";\n  return \"F\";\n}",
      typescript="function gradeLetter(score: number): string {\n"
                 "  if (score >= 90) return \"A\";\n  if (score >= 80) return \"B\";\n"
                 "  if (score >= 70) return \"C\";\n  if (score >= 60) return \"D\";\n"
                 "  return \"F\";\n}",
      java="class Solution {\n  static String gradeLetter(int score) {\n"
           "    if (score >= 90) return \"A\";\n    if (score >= 80) return \"B\";\n"
           "    if (score >= 70) return \"C\";\n    if (score >= 60) return \"D\";\n"
           "    return \"F\";\n  }\n}",
      go="func gradeLetter(score int) string {\n\tswitch {\n\tcase score >= 90:\n"
         "\t\treturn \"A\"\n\tcase score >= 80:\n\t\treturn \"B\"\n\tcase score >= 70:\n"
         "\t\treturn \"C\"\n\tcase score >= 60:\n\t\treturn \"D\"\n\t}\n\treturn \"F\"\n}"),
    T("ackermann_small", "recursion", "ackermann_small(m: int, n: int) -> int",
      ["Return the Ackermann function A(m, n) for small m and n.",
       "Compute Ackermann's function recursively: A(0,n)=n+1, A(m,0)=A(m-1,1), "
       "A(m,n)=A(m-1,A(m,n-1)).", "Evaluate the Ackermann function at (m, n)."],
      [((0, 0), 1), ((1, 2), 4), ((2, 2), 7), ((2, 3), 9), ((3, 2), 29)],
      python="def ackermann_small(m, n):\n    if m == 0:\n        return n + 1\n"
             "    if n == 0:\n        return ackermann_small(m - 1, 1)\n"
             "    return ackermann_small(m - 1, ackermann_small(m, n - 1))",
      javascript="function ackermannSmall(m, n) {\n  if (m === 0) return n + 1;\n"
                 "  if (n === 0) return ackermannSmall(m - 1, 1);\n"
                 "  return ackermannSmall(m - 1, ackermannSmall(m, n - 1));\n}",
      typescript="function ackermannSmall(m: number, n: number): number {\n"
                 "  if (m === 0) return n + 1;\n"
                 "  if (n === 0) return ackermannSmall(m - 1, 1);\n"
                 "  return ackermannSmall(m - 1, ackermannSmall(m, n - 1));\n}",
      java="class Solution {\n  static int ackermannSmall(int m, int n) {\n"
           "    if (m == 0) return n + 1;\n    if (n == 0) return ackermannSmall(m - 1, 1);\n"
           "    return ackermannSmall(m - 1, ackermannSmall(m, n - 1));\n  }\n}",
      go="func ackermannSmall(m int, n int) int {\n\tif m == 0 {\n\t\treturn n + 1\n\t}\n"
         "\tif n == 0 {\n\t\treturn ackermannSmall(m-1, 1)\n\t}\n"
         "\treturn ackermannSmall(m-1, ackermannSmall(m, n-1))\n}"),
    T("tribonacci", "recursion", "tribonacci(n: int) -> int",
      ["Return the n-th tribonacci number with T0=0, T1=0, T2=1 and each next the sum of "
       "the previous three.", "Compute tribonacci(n).",
       "Give the n-th term of the tribonacci sequence 0, 0, 1, 1, 2, 4, 7, ..."],
      [((0,), 0), ((2,), 1), ((5,), 4), ((6,), 7), ((10,), 81)],
      python="def tribonacci(n):\n    a, b, c = 0, 0, 1\n    for _ in range(n):\n"
             "        a, b, c = b, c, a + b + c\n    return a",
      javascript="function tribonacci(n) {\n  let a = 0, b = 0, c = 1;\n"
                 "  for (let i = 0; i < n; i++) [a, b, c] = [b, c, a + b + c];\n  return a;\n}",
      typescript="function tribonacci(n: number): number {\n  let a = 0, b = 0, c = 1;\n"
                 "  for (let i = 0; i < n; i++) [a, b, c] = [b, c, a + b + c];\n  return a;\n}",
      java="class Solution {\n  static int tribonacci(int n) {\n    int a = 0, b = 0, c = 1;\n"
           "    for (int i = 0; i < n; i++) { int t = a + b + c; a = b; b = c; c = t; }\n"
           "    return a;\n  }\n}",
      go="func tribonacci(n int) int {\n\ta, b, c := 0, 0, 1\n\tfor i := 0; i < n; i++ {\n"
         "\t\ta, b, c = b, c, a+b+c\n\t}\n\treturn a\n}"),
    T("binomial", "recursion", "binomial(n: int, k: int) -> int",
      ["Return the binomial coefficient n choose k.",
       "Compute how many ways there are to pick k items from n.", "Evaluate C(n, k)."],
      [((5, 2), 10), ((6, 0), 1), ((6, 6), 1), ((10, 3), 120), ((4, 5), 0)],
      python="def binomial(n, k):\n    if k < 0 or k > n:\n        return 0\n    r = 1\n"
             "    for i in range(k):\n        r = r * (n - i) // (i + 1)\n    return r",
      javascript="function binomial(n, k) {\n  if (k < 0 || k > n) return 0;\n  let r = 1;\n"
                 "  for (let i = 0; i < k; i++) r = r * (n - i) / (i + 1);\n"
                 "  return Math.round(r);\n}",
      typescript="function binomial(n: number, k: number): number {\n"
                 "  if (k < 0 || k > n) return 0;\n  let r = 1;\n"
                 "  for (let i = 0; i < k; i++) r = r * (n - i) / (i + 1);\n"
                 "  return Math.round(r);\n}",
      java="class Solution {\n  static int binomial(int n, int k) {\n"
           "    if (k < 0 || k > n) return 0;\n    long r = 1;\n"
           "    for (int i = 0; i < k; i++) r = r * (n - i) / (i + 1);\n"
           "    return (int) r;\n  }\n}",
      go="func binomial(n int, k int) int {\n\tif k < 0 || k > n {\n\t\treturn 0\n\t}\n"
         "\tr := 1\n\tfor i := 0; i < k; i++ {\n\t\tr = r * (n - i) / (i + 1)\n\t}\n"
         "\treturn r\n}"),
    T("sum_multiples_3_or_5", "loops", "sum_multiples_3_or_5(n: int) -> int",
      ["Return the sum of all numbers below n that are multiples of 3 or 5.",
       "Add up the natural numbers less than n divisible by 3 or by 5.",
       "Sum the multiples of 3 or 5 below n."],
      [((10,), 23), ((1,), 0), ((16,), 60), ((100,), 2318), ((6,), 8)],
      python="def sum_multiples_3_or_5(n):\n"
             "    return sum(i for i in range(n) if i % 3 == 0 or i % 5 == 0)",
      javascript="function sumMultiples3Or5(n) {\n  let s = 0;\n"
                 "  for (let i = 0; i < n; i++) if (i % 3 === 0 || i % 5 === 0) s += i;\n"
                 "  return s;\n}",
      typescript="function sumMultiples3Or5(n: number): number {\n  let s = 0;\n"
                 "  for (let i = 0; i < n; i++) if (i % 3 === 0 || i % 5 === 0) s += i;\n"
                 "  return s;\n}",
      java="class Solution {\n  static int sumMultiples3Or5(int n) {\n    int s = 0;\n"
           "    for (int i = 0; i < n; i++) if (i % 3 == 0 || i % 5 == 0) s += i;\n"
           "    return s;\n  }\n}",
      go="func sumMultiples3Or5(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n"
         "\t\tif i%3 == 0 || i%5 == 0 {\n\t\t\ts += i\n\t\t}\n\t}\n\treturn s\n}"),
    T("nth_prime", "loops", "nth_prime(n: int) -> int",
      ["Return the n-th prime number, counting from 1 (the first prime is 2).",
       "Find prime number number n.", "Give the n-th prime."],
      [((1,), 2), ((2,), 3), ((6,), 13), ((10,), 29), ((100,), 541)],
      python="def nth_prime(n):\n    count, k = 0, 1\n    while count < n:\n        k += 1\n"
             "        if all(k % d for d in range(2, int(k ** 0.5) + 1)):\n            count += 1\n"
             "    return k",
      javascript="function nthPrime(n) {\n  let count = 0, k = 1;\n  while (count < n) {\n"
                 "    k++;\n    let prime = true;\n"
                 "    for (let d = 2; d * d <= k; d++) if (k % d === 0) { prime = false; break; }\n"
                 "    if (prime) count++;\n  }\n  return k;\n}",
      typescript="function nthPrime(n: number): number {\n  let count = 0, k = 1;\n"
                 "  while (count < n) {\n    k++;\n    let prime = true;\n"
                 "    for (let d = 2; d * d <= k; d++) if (k % d === 0) { prime = false; break; }\n"
                 "    if (prime) count++;\n  }\n  return k;\n}",
      java="class Solution {\n  static int nthPrime(int n) {\n    int count = 0, k = 1;\n"
           "    while (count < n) {\n      k++;\n      boolean prime = true;\n"
           "      for (int d = 2; d * d <= k; d++) if (k % d == 0) { prime = false; break; }\n"
           "      if (prime) count++;\n    }\n    return k;\n  }\n}",
      go="func nthPrime(n int) int {\n\tcount, k := 0, 1\n\tfor count < n {\n\t\tk++\n"
         "\t\tprime := true\n\t\tfor d := 2; d*d <= k; d++ {\n\t\t\tif k%d == 0 {\n"
         "\t\t\t\tprime = false\n\t\t\t\tbreak\n\t\t\t}\n\t\t}\n\t\tif prime {\n\t\t\tcount++\n"
         "\t\t}\n\t}\n\treturn k\n}"),
    T("digital_root", "recursion", "digital_root(n: int) -> int",
      ["Repeatedly sum the digits of a non-negative n until one digit remains; return it.",
       "Compute the digital root of n.", "Reduce n to a single digit by adding its digits."],
      [((16,), 7), ((942,), 6), ((0,), 0), ((9,), 9), ((493193,), 2)],
      python="def digital_root(n):\n    while n >= 10:\n        n = sum(int(d) for d in str(n))\n"
             "    return n",
      javascript="function digitalRoot(n) {\n  while (n >= 10) {\n    let s = 0;\n"
                 "    while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n    n = s;\n  }\n"
                 "  return n;\n}",
      typescript="function digitalRoot(n: number): number {\n  while (n >= 10) {\n"
                 "    let s = 0;\n"
                 "    while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n    n = s;\n  }\n"
                 "  return n;\n}",
      java="class Solution {\n  static int digitalRoot(int n) {\n    while (n >= 10) {\n"
           "      int s = 0;\n      while (n > 0) { s += n % 10; n /= 10; }\n      n = s;\n"
           "    }\n    return n;\n  }\n}",
      go="func digitalRoot(n int) int {\n\tfor n >= 10 {\n\t\ts := 0\n\t\tfor n > 0 {\n"
         "\t\t\ts += n % 10\n\t\t\tn /= 10\n\t\t}\n\t\tn = s\n\t}\n\treturn n\n}"),
    T("min_coins", "loops", "min_coins(amount: int) -> int",
      ["Return the fewest coins of values 25, 10, 5 and 1 that make the amount.",
       "Make change for amount cents with quarters, dimes, nickels and pennies using as "
       "few coins as possible; return the count.", "Count coins in greedy US change."],
      [((0,), 0), ((30,), 2), ((99,), 9), ((41,), 4), ((7,), 3)],
      python="def min_coins(amount):\n    count = 0\n    for coin in (25, 10, 5, 1):\n"
             "        count += amount // coin\n        amount %= coin\n    return count",
      javascript="function minCoins(amount) {\n  let count = 0;\n"
                 "  for (const coin of [25, 10, 5, 1]) {\n"
                 "    count += Math.floor(amount / coin);\n    amount %= coin;\n  }\n"
                 "  return count;\n}",
      typescript="function minCoins(amount: number): number {\n  let count = 0;\n"
                 "  for (const coin of [25, 10, 5, 1]) {\n"
                 "    count += Math.floor(amount / coin);\n    amount %= coin;\n  }\n"
                 "  return count;\n}",
      java="class Solution {\n  static int minCoins(int amount) {\n    int count = 0;\n"
           "    for (int coin : new int[]{25, 10, 5, 1}) { count += amount / coin; "
           "amount %= coin; }\n    return count;\n  }\n}",
      go="func minCoins(amount int) int {\n\tcount := 0\n"
         "\tfor _, coin := range []int{25, 10, 5, 1} {\n\t\tcount += amount / coin\n"
         "\t\tamount %= coin\n\t}\n\treturn count\n}"),
]
