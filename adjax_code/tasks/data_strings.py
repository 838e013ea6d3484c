"""Strings."""

from adjax_code.tasks import entry


def _s(id, *rest, **kw):
    """A string task: ``entry`` with the category filled in."""
    return entry(id, "strings", *rest, **kw)


TASKS = [
    _s("reverse_string", "reverse_string(s: str) -> str",
       ["Return the string s reversed.", "Reverse the characters of s.",
        "Write s backwards."],
       [(("hello",), "olleh"), (("",), ""), (("a",), "a"), (("ab cd",), "dc ba"),
        (("racecar",), "racecar")],
       "def reverse_string(s):\n    return s[::-1]",
       "function reverseString(s) {\n  return s.split(\"\").reverse().join(\"\");\n}",
       "class Solution {\n  static String reverseString(String s) {\n"
       "    return new StringBuilder(s).reverse().toString();\n  }\n}",
       "func reverseString(s string) string {\n\tr := []rune(s)\n"
       "\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n"
       "\treturn string(r)\n}"),
    _s("is_palindrome", "is_palindrome(s: str) -> bool",
       ["Return true if s reads the same forwards and backwards.",
        "Check whether the string s is a palindrome (exact characters).",
        "Decide if s equals its reverse."],
       [(("level",), True), (("hello",), False), (("",), True), (("ab",), False),
        (("abba",), True)],
       "def is_palindrome(s):\n    return s == s[::-1]",
       "function isPalindrome(s) {\n  return s === s.split(\"\").reverse().join(\"\");\n}",
       "class Solution {\n  static boolean isPalindrome(String s) {\n"
       "    return s.equals(new StringBuilder(s).reverse().toString());\n  }\n}",
       "func isPalindrome(s string) bool {\n\tfor i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {\n"
       "\t\tif s[i] != s[j] {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"),
    _s("count_vowels", "count_vowels(s: str) -> int",
       ["Return the number of vowels (a, e, i, o, u, either case) in s.",
        "Count the vowels in the string s.", "How many of the letters of s are vowels?"],
       [(("hello",), 2), (("xyz",), 0), (("AEIOU",), 5), (("",), 0),
        (("Programming",), 3)],
       "def count_vowels(s):\n    return sum(1 for c in s.lower() if c in \"aeiou\")",
       "function countVowels(s) {\n  let n = 0;\n"
       "  for (const c of s.toLowerCase()) if (\"aeiou\".includes(c)) n++;\n  return n;\n}",
       "class Solution {\n  static int countVowels(String s) {\n    int n = 0;\n"
       "    for (char c : s.toLowerCase().toCharArray()) if (\"aeiou\".indexOf(c) >= 0) n++;\n"
       "    return n;\n  }\n}",
       "import \"strings\"\n\nfunc countVowels(s string) int {\n\tn := 0\n"
       "\tfor _, c := range strings.ToLower(s) {\n\t\tif strings.ContainsRune(\"aeiou\", c) {\n"
       "\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"),
    _s("count_char", "count_char(s: str, c: str) -> int",
       ["Return how many times the character c occurs in s.",
        "Count occurrences of the single character c in the string s.",
        "How often does c appear in s?"],
       [(("banana", "a"), 3), (("hello", "z"), 0), (("", "a"), 0), (("aaaa", "a"), 4),
        (("Mississippi", "s"), 4)],
       "def count_char(s, c):\n    return s.count(c)",
       "function countChar(s, c) {\n  return s.split(c).length - 1;\n}",
       "class Solution {\n  static int countChar(String s, String c) {\n    int n = 0;\n"
       "    for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c.charAt(0)) n++;\n"
       "    return n;\n  }\n}",
       "import \"strings\"\n\nfunc countChar(s string, c string) int {\n"
       "\treturn strings.Count(s, c)\n}"),
    _s("to_upper_case", "to_upper_case(s: str) -> str",
       ["Return s with every letter in upper case.", "Convert the string s to uppercase.",
        "Make all letters of s capitals."],
       [(("hello",), "HELLO"), (("",), ""), (("MiXeD 1",), "MIXED 1"), (("abc",), "ABC"),
        (("ALREADY",), "ALREADY")],
       "def to_upper_case(s):\n    return s.upper()",
       "function toUpperCase(s) {\n  return s.toUpperCase();\n}",
       "class Solution {\n  static String toUpperCase(String s) {\n"
       "    return s.toUpperCase();\n  }\n}",
       "import \"strings\"\n\nfunc toUpperCase(s string) string {\n"
       "\treturn strings.ToUpper(s)\n}"),
    _s("capitalize_words", "capitalize_words(s: str) -> str",
       ["Capitalize the first letter of every space-separated word in s and lower-case the "
        "rest.", "Return s in title case, word by word.",
        "Make each word of s start with a capital letter."],
       [(("hello world",), "Hello World"), (("",), ""), (("a b c",), "A B C"),
        (("jAVA code",), "Java Code"), (("one",), "One")],
       "def capitalize_words(s):\n"
       "    return \" \".join(w[:1].upper() + w[1:].lower() for w in s.split(\" \"))",
       "function capitalizeWords(s) {\n  return s.split(\" \").map((w) => "
       "w.slice(0, 1).toUpperCase() + w.slice(1).toLowerCase()).join(\" \");\n}",
       "class Solution {\n  static String capitalizeWords(String s) {\n"
       "    String[] words = s.split(\" \", -1);\n"
       "    for (int i = 0; i < words.length; i++) {\n      String w = words[i];\n"
       "      if (!w.isEmpty()) words[i] = w.substring(0, 1).toUpperCase() + "
       "w.substring(1).toLowerCase();\n    }\n    return String.join(\" \", words);\n  }\n}",
       "import \"strings\"\n\nfunc capitalizeWords(s string) string {\n"
       "\twords := strings.Split(s, \" \")\n\tfor i, w := range words {\n\t\tif w != \"\" {\n"
       "\t\t\twords[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])\n\t\t}\n\t}\n"
       "\treturn strings.Join(words, \" \")\n}"),
    _s("count_words", "count_words(s: str) -> int",
       ["Return the number of words in s, where words are separated by whitespace.",
        "Count the whitespace-separated words in the string.", "How many words does s have?"],
       [(("hello world",), 2), (("",), 0), (("  many   spaces here ",), 3), (("one",), 1),
        (("a\tb\nc",), 3)],
       "def count_words(s):\n    return len(s.split())",
       "function countWords(s) {\n  const t = s.trim();\n"
       "  return t === \"\" ? 0 : t.split(/\\s+/).length;\n}",
       "class Solution {\n  static int countWords(String s) {\n    String t = s.trim();\n"
       "    return t.isEmpty() ? 0 : t.split(\"\\\\s+\").length;\n  }\n}",
       "import \"strings\"\n\nfunc countWords(s string) int {\n"
       "\treturn len(strings.Fields(s))\n}"),
    _s("reverse_words", "reverse_words(s: str) -> str",
       ["Reverse the order of the words in s; words are separated by single spaces.",
        "Return the words of the sentence in reverse order.",
        "Flip the word order of s."],
       [(("hello world",), "world hello"), (("a",), "a"), (("one two three",), "three two one"),
        (("",), ""), (("x y",), "y x")],
       "def reverse_words(s):\n    return \" \".join(reversed(s.split(\" \")))",
       "function reverseWords(s) {\n  return s.split(\" \").reverse().join(\" \");\n}",
       "class Solution {\n  static String reverseWords(String s) {\n"
       "    java.util.List<String> w = new java.util.ArrayList<>("
       "java.util.Arrays.asList(s.split(\" \", -1)));\n"
       "    java.util.Collections.reverse(w);\n    return String.join(\" \", w);\n  }\n}",
       "import \"strings\"\n\nfunc reverseWords(s string) string {\n"
       "\tw := strings.Split(s, \" \")\n\tfor i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {\n"
       "\t\tw[i], w[j] = w[j], w[i]\n\t}\n\treturn strings.Join(w, \" \")\n}"),
    _s("longest_word", "longest_word(s: str) -> str",
       ["Return the longest space-separated word in s; the first one on ties.",
        "Find the longest word of the sentence.",
        "Which word in s has the most characters? Return the earliest such word."],
       [(("the quick brown fox",), "quick"), (("a bb cc",), "bb"), (("",), ""),
        (("hello",), "hello"), (("xy abc de fgh",), "abc")],
       "def longest_word(s):\n    best = \"\"\n    for w in s.split():\n"
       "        if len(w) > len(best):\n            best = w\n    return best",
       "function longestWord(s) {\n  let best = \"\";\n"
       "  for (const w of s.split(\" \")) if (w.length > best.length) best = w;\n"
       "  return best;\n}",
       "class Solution {\n  static String longestWord(String s) {\n    String best = \"\";\n"
       "    for (String w : s.split(\" \")) if (w.length() > best.length()) best = w;\n"
       "    return best;\n  }\n}",
       "import \"strings\"\n\nfunc longestWord(s string) string {\n\tbest := \"\"\n"
       "\tfor _, w := range strings.Fields(s) {\n\t\tif len(w) > len(best) {\n\t\t\tbest = w\n"
       "\t\t}\n\t}\n\treturn best\n}"),
    _s("is_anagram", "is_anagram(a: str, b: str) -> bool",
       ["Return true if a and b contain exactly the same letters in some order.",
        "Check whether the two strings are anagrams of each other.",
        "Decide if b is a rearrangement of a."],
       [(("listen", "silent"), True), (("abc", "abd"), False), (("", ""), True),
        (("aab", "abb"), False), (("night", "thing"), True)],
       "def is_anagram(a, b):\n    return sorted(a) == sorted(b)",
       "function isAnagram(a, b) {\n"
       "  return a.split(\"\").sort().join(\"\") === b.split(\"\").sort().join(\"\");\n}",
       "class Solution {\n  static boolean isAnagram(String a, String b) {\n"
       "    char[] x = a.toCharArray(), y = b.toCharArray();\n"
       "    java.util.Arrays.sort(x);\n    java.util.Arrays.sort(y);\n"
       "    return java.util.Arrays.equals(x, y);\n  }\n}",
       "func isAnagram(a string, b string) bool {\n\tcounts := map[rune]int{}\n"
       "\tfor _, c := range a {\n\t\tcounts[c]++\n\t}\n\tfor _, c := range b {\n"
       "\t\tcounts[c]--\n\t}\n\tfor _, v := range counts {\n\t\tif v != 0 {\n"
       "\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"),
    _s("remove_vowels", "remove_vowels(s: str) -> str",
       ["Return s with all vowels (a, e, i, o, u in either case) removed.",
        "Delete the vowels from the string.", "Strip every vowel out of s."],
       [(("hello",), "hll"), (("AEIOU",), ""), (("",), ""), (("rhythm",), "rhythm"),
        (("Programming Language",), "Prgrmmng Lngg")],
       "def remove_vowels(s):\n    return \"\".join(c for c in s if c.lower() not in \"aeiou\")",
       "function removeVowels(s) {\n  return s.replace(/[aeiou]/gi, \"\");\n}",
       "class Solution {\n  static String removeVowels(String s) {\n"
       "    return s.replaceAll(\"[aeiouAEIOU]\", \"\");\n  }\n}",
       "import \"strings\"\n\nfunc removeVowels(s string) string {\n"
       "\tvar b strings.Builder\n\tfor _, c := range s {\n"
       "\t\tif !strings.ContainsRune(\"aeiouAEIOU\", c) {\n\t\t\tb.WriteRune(c)\n\t\t}\n\t}\n"
       "\treturn b.String()\n}"),
    _s("repeat_string", "repeat_string(s: str, n: int) -> str",
       ["Return s repeated n times.", "Concatenate n copies of the string s.",
        "Build a string made of s written n times in a row."],
       [(("ab", 3), "ababab"), (("x", 0), ""), (("", 5), ""), (("hi", 1), "hi"),
        (("-", 4), "----")],
       "def repeat_string(s, n):\n    return s * n",
       "function repeatString(s, n) {\n  return s.repeat(n);\n}",
       "class Solution {\n  static String repeatString(String s, int n) {\n"
       "    return s.repeat(n);\n  }\n}",
       "import \"strings\"\n\nfunc repeatString(s string, n int) string {\n"
       "\treturn strings.Repeat(s, n)\n}"),
    _s("first_unique_char", "first_unique_char(s: str) -> int",
       ["Return the index of the first character that occurs only once in s, or -1.",
        "Find the position of the first non-repeating character.",
        "Give the index of the earliest character of s that appears exactly once, -1 if "
        "none."],
       [(("leetcode",), 0), (("loveleetcode",), 2), (("aabb",), -1), (("",), -1),
        (("abcab",), 2)],
       "def first_unique_char(s):\n    counts = {}\n    for c in s:\n"
       "        counts[c] = counts.get(c, 0) + 1\n    for i, c in enumerate(s):\n"
       "        if counts[c] == 1:\n            return i\n    return -1",
       "function firstUniqueChar(s) {\n  const counts = new Map();\n"
       "  for (const c of s) counts.set(c, (counts.get(c) || 0) + 1);\n"
       "  for (let i = 0; i < s.length; i++) if (counts.get(s[i]) === 1) return i;\n"
       "  return -1;\n}",
       "class Solution {\n  static int firstUniqueChar(String s) {\n"
       "    java.util.Map<Character, Integer> counts = new java.util.HashMap<>();\n"
       "    for (char c : s.toCharArray()) counts.merge(c, 1, Integer::sum);\n"
       "    for (int i = 0; i < s.length(); i++) if (counts.get(s.charAt(i)) == 1) return i;\n"
       "    return -1;\n  }\n}",
       "func firstUniqueChar(s string) int {\n\tcounts := map[byte]int{}\n"
       "\tfor i := 0; i < len(s); i++ {\n\t\tcounts[s[i]]++\n\t}\n"
       "\tfor i := 0; i < len(s); i++ {\n\t\tif counts[s[i]] == 1 {\n\t\t\treturn i\n\t\t}\n"
       "\t}\n\treturn -1\n}"),
    _s("compress_runs", "compress_runs(s: str) -> str",
       ["Run-length encode s: each run of a repeated character becomes the character "
        "followed by the run length.", "Compress \"aaabb\" to \"a3b2\".",
        "Return the run-length encoding of the string."],
       [(("aaabb",), "a3b2"), (("",), ""), (("abc",), "a1b1c1"), (("zzzz",), "z4"),
        (("aabcccd",), "a2b1c3d1")],
       "def compress_runs(s):\n    out, i = [], 0\n    while i < len(s):\n        j = i\n"
       "        while j < len(s) and s[j] == s[i]:\n            j += 1\n"
       "        out.append(f\"{s[i]}{j - i}\")\n        i = j\n    return \"\".join(out)",
       "function compressRuns(s) {\n  let out = \"\";\n  let i = 0;\n"
       "  while (i < s.length) {\n    let j = i;\n    while (j < s.length && s[j] === s[i]) j++;\n"
       "    out += s[i] + (j - i);\n    i = j;\n  }\n  return out;\n}",
       "class Solution {\n  static String compressRuns(String s) {\n"
       "    StringBuilder out = new StringBuilder();\n    int i = 0;\n"
       "    while (i < s.length()) {\n      int j = i;\n"
       "      while (j < s.length() && s.charAt(j) == s.charAt(i)) j++;\n"
       "      out.append(s.charAt(i)).append(j - i);\n      i = j;\n    }\n"
       "    return out.toString();\n  }\n}",
       "import \"fmt\"\n\nfunc compressRuns(s string) string {\n\tout := \"\"\n\ti := 0\n"
       "\tfor i < len(s) {\n\t\tj := i\n\t\tfor j < len(s) && s[j] == s[i] {\n\t\t\tj++\n\t\t}\n"
       "\t\tout += fmt.Sprintf(\"%c%d\", s[i], j-i)\n\t\ti = j\n\t}\n\treturn out\n}"),
    _s("caesar_shift", "caesar_shift(s: str, k: int) -> str",
       ["Shift every lowercase letter of s forward by k places in the alphabet, wrapping "
        "around; leave other characters.", "Apply a Caesar cipher with shift k to s.",
        "Encrypt s by rotating lowercase letters k steps."],
       [(("abc", 1), "bcd"), (("xyz", 3), "abc"), (("hello world", 13), "uryyb jbeyq"),
        (("", 5), ""), (("a-b", 26), "a-b")],
       "def caesar_shift(s, k):\n    return \"\".join(\n"
       "        chr((ord(c) - 97 + k) % 26 + 97) if \"a\" <= c <= \"z\" else c for c in s\n    )",
       "function caesarShift(s, k) {\n  let out = \"\";\n  for (const c of s) {\n"
       "    if (c >= \"a\" && c <= \"z\") out += String.fromCharCode("
       "((c.charCodeAt(0) - 97 + k) % 26) + 97);\n    else out += c;\n  }\n  return out;\n}",
       "class Solution {\n  static String caesarShift(String s, int k) {\n"
       "    StringBuilder out = new StringBuilder();\n    for (char c : s.toCharArray()) {\n"
       "      if (c >= 'a' && c <= 'z') out.append((char) ((c - 'a' + k) % 26 + 'a'));\n"
       "      else out.append(c);\n    }\n    return out.toString();\n  }\n}",
       "func caesarShift(s string, k int) string {\n\tout := []byte(s)\n"
       "\tfor i, c := range out {\n\t\tif c >= 'a' && c <= 'z' {\n"
       "\t\t\tout[i] = byte((int(c-'a')+k)%26) + 'a'\n\t\t}\n\t}\n\treturn string(out)\n}"),
    _s("is_pangram", "is_pangram(s: str) -> bool",
       ["Return true if s contains every letter of the English alphabet (either case).",
        "Check whether the sentence is a pangram.",
        "Does s use all 26 letters at least once?"],
       [(("The quick brown fox jumps over the lazy dog",), True), (("hello",), False),
        (("",), False), (("abcdefghijklmnopqrstuvwxyz",), True),
        (("abcdefghijklmnopqrstuvwxy",), False)],
       "def is_pangram(s):\n    return set(\"abcdefghijklmnopqrstuvwxyz\") <= set(s.lower())",
       "function isPangram(s) {\n  const seen = new Set(s.toLowerCase());\n"
       "  for (const c of \"abcdefghijklmnopqrstuvwxyz\") if (!seen.has(c)) return false;\n"
       "  return true;\n}",
       "class Solution {\n  static boolean isPangram(String s) {\n"
       "    String t = s.toLowerCase();\n"
       "    for (char c = 'a'; c <= 'z'; c++) if (t.indexOf(c) < 0) return false;\n"
       "    return true;\n  }\n}",
       "import \"strings\"\n\nfunc isPangram(s string) bool {\n\tt := strings.ToLower(s)\n"
       "\tfor c := 'a'; c <= 'z'; c++ {\n\t\tif !strings.ContainsRune(t, c) {\n"
       "\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"),
    _s("count_substring", "count_substring(s: str, sub: str) -> int",
       ["Return how many times sub occurs in s, counting overlapping occurrences.",
        "Count the (possibly overlapping) occurrences of a non-empty substring.",
        "How often does sub appear inside s?"],
       [(("aaaa", "aa"), 3), (("hello", "l"), 2), (("abc", "d"), 0), (("", "a"), 0),
        (("abababa", "aba"), 3)],
       "def count_substring(s, sub):\n"
       "    return sum(1 for i in range(len(s) - len(sub) + 1) if s[i:i + len(sub)] == sub)",
       "function countSubstring(s, sub) {\n  let n = 0;\n"
       "  for (let i = 0; i + sub.length <= s.length; i++) "
       "if (s.slice(i, i + sub.length) === sub) n++;\n  return n;\n}",
       "class Solution {\n  static int countSubstring(String s, String sub) {\n    int n = 0;\n"
       "    for (int i = 0; i + sub.length() <= s.length(); i++) "
       "if (s.startsWith(sub, i)) n++;\n    return n;\n  }\n}",
       "import \"strings\"\n\nfunc countSubstring(s string, sub string) int {\n\tn := 0\n"
       "\tfor i := 0; i+len(sub) <= len(s); i++ {\n"
       "\t\tif strings.HasPrefix(s[i:], sub) {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"),
    _s("is_numeric_string", "is_numeric_string(s: str) -> bool",
       ["Return true if s is non-empty and made only of the digits 0-9.",
        "Check whether the string consists entirely of decimal digits.",
        "Is s a string of digits?"],
       [(("12345",), True), (("12a45",), False), (("",), False), (("0",), True),
        (("-5",), False)],
       "def is_numeric_string(s):\n    return len(s) > 0 and all(\"0\" <= c <= \"9\" for c in s)",
       "function isNumericString(s) {\n  return /^[0-9]+$/.test(s);\n}",
       "class Solution {\n  static boolean isNumericString(String s) {\n"
       "    return s.matches(\"[0-9]+\");\n  }\n}",
       "func isNumericString(s string) bool {\n\tif len(s) == 0 {\n\t\treturn false\n\t}\n"
       "\tfor _, c := range s {\n\t\tif c < '0' || c > '9' {\n\t\t\treturn false\n\t\t}\n"
       "\t}\n\treturn true\n}"),
    _s("swap_case", "swap_case(s: str) -> str",
       ["Return s with upper-case letters made lower-case and lower-case made upper-case.",
        "Invert the letter case of every character of s.", "Swap the case of s."],
       [(("Hello",), "hELLO"), (("",), ""), (("abc DEF 1",), "ABC def 1"), (("X",), "x"),
        (("mIxEd",), "MiXeD")],
       "def swap_case(s):\n    return s.swapcase()",
       "function swapCase(s) {\n  let out = \"\";\n"
       "  for (const c of s) out += c === c.toUpperCase() ? c.toLowerCase() : "
       "c.toUpperCase();\n  return out;\n}",
       "class Solution {\n  static String swapCase(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n    for (char c : s.toCharArray())\n"
       "      b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : "
       "Character.toUpperCase(c));\n    return b.toString();\n  }\n}",
       "import \"unicode\"\n\nfunc swapCase(s string) string {\n\tr := []rune(s)\n"
       "\tfor i, c := range r {\n\t\tif unicode.IsUpper(c) {\n\t\t\tr[i] = unicode.ToLower(c)\n"
       "\t\t} else {\n\t\t\tr[i] = unicode.ToUpper(c)\n\t\t}\n\t}\n\treturn string(r)\n}"),
    _s("longest_common_prefix", "longest_common_prefix(words: list[str]) -> str",
       ["Return the longest prefix shared by every string in the list.",
        "Find the longest common prefix of a list of words.",
        "What do all the strings start with? Return the longest such prefix."],
       [((["flower", "flow", "flight"],), "fl"), ((["dog", "car"],), ""), (([],), ""),
        ((["same", "same"],), "same"), ((["interview", "internet", "interval"],), "inter")],
       "def longest_common_prefix(words):\n    if not words:\n        return \"\"\n"
       "    prefix = words[0]\n    for w in words[1:]:\n        while not w.startswith(prefix):\n"
       "            prefix = prefix[:-1]\n    return prefix",
       "function longestCommonPrefix(words) {\n  if (words.length === 0) return \"\";\n"
       "  let p = words[0];\n  for (const w of words) while (!w.startsWith(p)) "
       "p = p.slice(0, -1);\n  return p;\n}",
       "class Solution {\n  static String longestCommonPrefix(String[] words) {\n"
       "    if (words.length == 0) return \"\";\n    String p = words[0];\n"
       "    for (String w : words) while (!w.startsWith(p)) p = p.substring(0, p.length() - 1);"
       "\n    return p;\n  }\n}",
       "import \"strings\"\n\nfunc longestCommonPrefix(words []string) string {\n"
       "\tif len(words) == 0 {\n\t\treturn \"\"\n\t}\n\tp := words[0]\n"
       "\tfor _, w := range words {\n\t\tfor !strings.HasPrefix(w, p) {\n\t\t\tp = p[:len(p)-1]\n"
       "\t\t}\n\t}\n\treturn p\n}"),
    _s("snake_to_camel", "snake_to_camel(s: str) -> str",
       ["Convert a snake_case identifier to camelCase.",
        "Turn \"hello_big_world\" into \"helloBigWorld\".",
        "Rewrite s from snake case to lower camel case."],
       [(("hello_world",), "helloWorld"), (("a",), "a"), (("one_two_three",), "oneTwoThree"),
        (("",), ""), (("x_y",), "xY")],
       "def snake_to_camel(s):\n    head, *rest = s.split(\"_\")\n"
       "    return head + \"\".join(p[:1].upper() + p[1:] for p in rest)",
       "function snakeToCamel(s) {\n  return s.replace(/_([a-z])/g, (_, c) => "
       "c.toUpperCase());\n}",
       "class Solution {\n  static String snakeToCamel(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n    boolean up = false;\n"
       "    for (char c : s.toCharArray()) {\n      if (c == '_') { up = true; continue; }\n"
       "      b.append(up ? Character.toUpperCase(c) : c);\n      up = false;\n    }\n"
       "    return b.toString();\n  }\n}",
       "import \"strings\"\n\nfunc snakeToCamel(s string) string {\n"
       "\tparts := strings.Split(s, \"_\")\n\tfor i := 1; i < len(parts); i++ {\n"
       "\t\tif parts[i] != \"\" {\n\t\t\tparts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]\n"
       "\t\t}\n\t}\n\treturn strings.Join(parts, \"\")\n}"),
    _s("camel_to_snake", "camel_to_snake(s: str) -> str",
       ["Convert a camelCase identifier to snake_case.",
        "Turn \"helloBigWorld\" into \"hello_big_world\".",
        "Rewrite s from camel case to snake case."],
       [(("helloWorld",), "hello_world"), (("a",), "a"), (("oneTwoThree",), "one_two_three"),
        (("",), ""), (("xY",), "x_y")],
       "def camel_to_snake(s):\n"
       "    return \"\".join(\"_\" + c.lower() if c.isupper() else c for c in s)",
       "function camelToSnake(s) {\n  return s.replace(/[A-Z]/g, (c) => \"_\" + "
       "c.toLowerCase());\n}",
       "class Solution {\n  static String camelToSnake(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n    for (char c : s.toCharArray()) {\n"
       "      if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));\n"
       "      else b.append(c);\n    }\n    return b.toString();\n  }\n}",
       "import \"unicode\"\n\nfunc camelToSnake(s string) string {\n\tout := []rune{}\n"
       "\tfor _, c := range s {\n\t\tif unicode.IsUpper(c) {\n"
       "\t\t\tout = append(out, '_', unicode.ToLower(c))\n\t\t} else {\n"
       "\t\t\tout = append(out, c)\n\t\t}\n\t}\n\treturn string(out)\n}"),
    _s("acronym", "acronym(s: str) -> str",
       ["Return the upper-case first letters of the space-separated words of s.",
        "Build an acronym from a phrase.", "Make \"portable network graphics\" into \"PNG\"."],
       [(("portable network graphics",), "PNG"), (("",), ""), (("a",), "A"),
        (("as soon as possible",), "ASAP"), (("Hello  World",), "HW")],
       "def acronym(s):\n    return \"\".join(w[0].upper() for w in s.split())",
       "function acronym(s) {\n  return s.split(/\\s+/).filter((w) => w).map((w) => "
       "w[0].toUpperCase()).join(\"\");\n}",
       "class Solution {\n  static String acronym(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n"
       "    for (String w : s.trim().split(\"\\\\s+\")) if (!w.isEmpty()) "
       "b.append(Character.toUpperCase(w.charAt(0)));\n    return b.toString();\n  }\n}",
       "import \"strings\"\n\nfunc acronym(s string) string {\n\tout := \"\"\n"
       "\tfor _, w := range strings.Fields(s) {\n\t\tout += strings.ToUpper(w[:1])\n\t}\n"
       "\treturn out\n}"),
    _s("is_valid_parentheses", "is_valid_parentheses(s: str) -> bool",
       ["Return true if the brackets (), [] and {} in s are balanced and properly nested.",
        "Check whether a string of brackets is valid.",
        "Decide if every opening bracket in s is closed in the right order."],
       [(("()[]{}",), True), (("(]",), False), (("",), True), (("([{}])",), True),
        (("(()",), False), (("}{",), False)],
       "def is_valid_parentheses(s):\n    pairs = {\")\": \"(\", \"]\": \"[\", \"}\": \"{\"}\n"
       "    stack = []\n    for c in s:\n        if c in \"([{\":\n            stack.append(c)\n"
       "        elif c in pairs:\n            if not stack or stack.pop() != pairs[c]:\n"
       "                return False\n    return not stack",
       "function isValidParentheses(s) {\n  const pairs = { \")\": \"(\", \"]\": \"[\", "
       "\"}\": \"{\" };\n  const stack = [];\n  for (const c of s) {\n"
       "    if (\"([{\".includes(c)) stack.push(c);\n"
       "    else if (c in pairs && stack.pop() !== pairs[c]) return false;\n  }\n"
       "  return stack.length === 0;\n}",
       "class Solution {\n  static boolean isValidParentheses(String s) {\n"
       "    java.util.Deque<Character> st = new java.util.ArrayDeque<>();\n"
       "    for (char c : s.toCharArray()) {\n"
       "      if (c == '(' || c == '[' || c == '{') st.push(c);\n      else {\n"
       "        char o = c == ')' ? '(' : c == ']' ? '[' : '{';\n"
       "        if (st.isEmpty() || st.pop() != o) return false;\n      }\n    }\n"
       "    return st.isEmpty();\n  }\n}",
       "func isValidParentheses(s string) bool {\n"
       "\tpairs := map[rune]rune{')': '(', ']': '[', '}': '{'}\n\tstack := []rune{}\n"
       "\tfor _, c := range s {\n\t\tif c == '(' || c == '[' || c == '{' {\n"
       "\t\t\tstack = append(stack, c)\n\t\t} else if o, ok := pairs[c]; ok {\n"
       "\t\t\tif len(stack) == 0 || stack[len(stack)-1] != o {\n\t\t\t\treturn false\n\t\t\t}\n"
       "\t\t\tstack = stack[:len(stack)-1]\n\t\t}\n\t}\n\treturn len(stack) == 0\n}",
       ts="function isValidParentheses(s: string): boolean {\n"
          "  const pairs: Record<string, string> = { \")\": \"(\", \"]\": \"[\", \"}\": \"{\" };\n"
          "  const stack: string[] = [];\n  for (const c of s) {\n"
          "    if (\"([{\".includes(c)) stack.push(c);\n"
          "    else if (c in pairs && stack.pop() !== pairs[c]) return false;\n  }\n"
          "  return stack.length === 0;\n}"),
    _s("max_char_run", "max_char_run(s: str) -> int",
       ["Return the length of the longest run of one repeated character in s.",
        "Find the longest streak of identical consecutive characters.",
        "How long is the longest block of the same character?"],
       [(("aaabbc",), 3), (("",), 0), (("abc",), 1), (("abbbbba",), 5), (("zz",), 2)],
       "def max_char_run(s):\n    best = run = 0\n    for i, c in enumerate(s):\n"
       "        run = run + 1 if i and s[i - 1] == c else 1\n        best = max(best, run)\n"
       "    return best",
       "function maxCharRun(s) {\n  let best = 0, run = 0;\n"
       "  for (let i = 0; i < s.length; i++) {\n"
       "    run = i > 0 && s[i - 1] === s[i] ? run + 1 : 1;\n    best = Math.max(best, run);\n"
       "  }\n  return best;\n}",
       "class Solution {\n  static int maxCharRun(String s) {\n    int best = 0, run = 0;\n"
       "    for (int i = 0; i < s.length(); i++) {\n"
       "      run = i > 0 && s.charAt(i - 1) == s.charAt(i) ? run + 1 : 1;\n"
       "      best = Math.max(best, run);\n    }\n    return best;\n  }\n}",
       "func maxCharRun(s string) int {\n\tbest, run := 0, 0\n\tfor i := 0; i < len(s); i++ {\n"
       "\t\tif i > 0 && s[i-1] == s[i] {\n\t\t\trun++\n\t\t} else {\n\t\t\trun = 1\n\t\t}\n"
       "\t\tif run > best {\n\t\t\tbest = run\n\t\t}\n\t}\n\treturn best\n}"),
    _s("remove_duplicates_chars", "remove_duplicates_chars(s: str) -> str",
       ["Return s keeping only the first occurrence of each character.",
        "Remove repeated characters from s, preserving order.",
        "Drop every character that already appeared earlier in s."],
       [(("banana",), "ban"), (("",), ""), (("abc",), "abc"), (("aaaa",), "a"),
        (("mississippi",), "misp")],
       "def remove_duplicates_chars(s):\n    seen, out = set(), []\n    for c in s:\n"
       "        if c not in seen:\n            seen.add(c)\n            out.append(c)\n"
       "    return \"\".join(out)",
       "function removeDuplicatesChars(s) {\n  return [...new Set(s)].join(\"\");\n}",
       "class Solution {\n  static String removeDuplicatesChars(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n"
       "    for (char c : s.toCharArray()) if (b.indexOf(String.valueOf(c)) < 0) b.append(c);\n"
       "    return b.toString();\n  }\n}",
       "func removeDuplicatesChars(s string) string {\n\tseen := map[rune]bool{}\n"
       "\tout := []rune{}\n\tfor _, c := range s {\n\t\tif !seen[c] {\n\t\t\tseen[c] = true\n"
       "\t\t\tout = append(out, c)\n\t\t}\n\t}\n\treturn string(out)\n}"),
    _s("pad_left", "pad_left(s: str, width: int, fill: str) -> str",
       ["Pad s on the left with the character fill until it is width characters long.",
        "Left-pad the string to a given width.",
        "Return s right-aligned in a field of width characters using fill."],
       [(("7", 3, "0"), "007"), (("abc", 2, "*"), "abc"), (("", 2, "-"), "--"),
        (("42", 5, " "), "   42"), (("x", 1, "0"), "x")],
       "def pad_left(s, width, fill):\n    return fill * max(0, width - len(s)) + s",
       "function padLeft(s, width, fill) {\n  return s.padStart(width, fill);\n}",
       "class Solution {\n  static String padLeft(String s, int width, String fill) {\n"
       "    StringBuilder b = new StringBuilder();\n"
       "    for (int i = s.length(); i < width; i++) b.append(fill);\n"
       "    return b.append(s).toString();\n  }\n}",
       "import \"strings\"\n\nfunc padLeft(s string, width int, fill string) string {\n"
       "\tif len(s) >= width {\n\t\treturn s\n\t}\n"
       "\treturn strings.Repeat(fill, width-len(s)) + s\n}"),
    _s("vowel_consonant_diff", "vowel_consonant_diff(s: str) -> int",
       ["Return the number of consonant letters minus the number of vowels in s (letters "
        "only, either case).", "Count consonants minus vowels.",
        "How many more consonants than vowels does s have?"],
       [(("hello",), 1), (("",), 0), (("aeiou",), -5), (("rhythm",), 6), (("a1b2",), 0)],
       "def vowel_consonant_diff(s):\n    d = 0\n    for c in s.lower():\n"
       "        if c.isalpha():\n            d += -1 if c in \"aeiou\" else 1\n    return d",
       "function vowelConsonantDiff(s) {\n  let d = 0;\n"
       "  for (const c of s.toLowerCase()) if (c >= \"a\" && c <= \"z\") "
       "d += \"aeiou\".includes(c) ? -1 : 1;\n  return d;\n}",
       "class Solution {\n  static int vowelConsonantDiff(String s) {\n    int d = 0;\n"
       "    for (char c : s.toLowerCase().toCharArray()) if (c >= 'a' && c <= 'z') "
       "d += \"aeiou\".indexOf(c) >= 0 ? -1 : 1;\n    return d;\n  }\n}",
       "import \"strings\"\n\nfunc vowelConsonantDiff(s string) int {\n\td := 0\n"
       "\tfor _, c := range strings.ToLower(s) {\n\t\tif c >= 'a' && c <= 'z' {\n"
       "\t\t\tif strings.ContainsRune(\"aeiou\", c) {\n\t\t\t\td--\n\t\t\t} else {\n"
       "\t\t\t\td++\n\t\t\t}\n\t\t}\n\t}\n\treturn d\n}"),
    _s("most_common_char", "most_common_char(s: str) -> str",
       ["Return the character that occurs most often in s; on a tie the one that appears "
        "first; empty string for empty input.", "Find the most frequent character of s.",
        "Which character appears the most times in s?"],
       [(("banana",), "a"), (("",), ""), (("abc",), "a"), (("aabbbc",), "b"),
        (("xyyx",), "x")],
       "def most_common_char(s):\n    counts = {}\n    for c in s:\n"
       "        counts[c] = counts.get(c, 0) + 1\n    best = \"\"\n    for c in s:\n"
       "        if best == \"\" or counts[c] > counts[best]:\n            best = c\n    return best",
       "function mostCommonChar(s) {\n  const counts = new Map();\n"
       "  for (const c of s) counts.set(c, (counts.get(c) || 0) + 1);\n  let best = \"\";\n"
       "  for (const c of s) if (best === \"\" || counts.get(c) > counts.get(best)) best = c;\n"
       "  return best;\n}",
       "class Solution {\n  static String mostCommonChar(String s) {\n"
       "    java.util.Map<Character, Integer> counts = new java.util.HashMap<>();\n"
       "    for (char c : s.toCharArray()) counts.merge(c, 1, Integer::sum);\n"
       "    String best = \"\";\n    for (char c : s.toCharArray())\n"
       "      if (best.isEmpty() || counts.get(c) > counts.get(best.charAt(0))) "
       "best = String.valueOf(c);\n    return best;\n  }\n}",
       "func mostCommonChar(s string) string {\n\tcounts := map[rune]int{}\n"
       "\tfor _, c := range s {\n\t\tcounts[c]++\n\t}\n\tbest := rune(0)\n\tfound := false\n"
       "\tfor _, c := range s {\n\t\tif !found || counts[c] > counts[best] {\n\t\t\tbest = c\n"
       "\t\t\tfound = true\n\t\t}\n\t}\n\tif !found {\n\t\treturn \"\"\n\t}\n"
       "\treturn string(best)\n}",
       ts="function mostCommonChar(s: string): string {\n"
          "  const counts = new Map<string, number>();\n"
          "  for (const c of s) counts.set(c, (counts.get(c) || 0) + 1);\n  let best = \"\";\n"
          "  for (const c of s) if (best === \"\" || counts.get(c)! > counts.get(best)!) best = c;\n"
          "  return best;\n}"),
    _s("string_to_int", "string_to_int(s: str) -> int",
       ["Parse a string of an optional minus sign and digits into an integer, without "
        "library parsing.", "Convert the decimal text s to a number.",
        "Turn \"-123\" into -123 by reading the digits."],
       [(("123",), 123), (("-45",), -45), (("0",), 0), (("007",), 7), (("-0",), 0)],
       "def string_to_int(s):\n    sign, start = (-1, 1) if s.startswith(\"-\") else (1, 0)\n"
       "    n = 0\n    for c in s[start:]:\n        n = n * 10 + ord(c) - ord(\"0\")\n"
       "    return sign * n",
       "function stringToInt(s) {\n  let sign = 1, i = 0, n = 0;\n"
       "  if (s[0] === \"-\") { sign = -1; i = 1; }\n"
       "  for (; i < s.length; i++) n = n * 10 + (s.charCodeAt(i) - 48);\n"
       "  return sign * n || 0;\n}",
       "class Solution {\n  static int stringToInt(String s) {\n    int sign = 1, i = 0, n = 0;\n"
       "    if (s.startsWith(\"-\")) { sign = -1; i = 1; }\n"
       "    for (; i < s.length(); i++) n = n * 10 + (s.charAt(i) - '0');\n"
       "    return sign * n;\n  }\n}",
       "func stringToInt(s string) int {\n\tsign, i, n := 1, 0, 0\n"
       "\tif len(s) > 0 && s[0] == '-' {\n\t\tsign, i = -1, 1\n\t}\n"
       "\tfor ; i < len(s); i++ {\n\t\tn = n*10 + int(s[i]-'0')\n\t}\n\treturn sign * n\n}"),
    _s("count_uppercase", "count_uppercase(s: str) -> int",
       ["Return the number of upper-case ASCII letters in s.",
        "Count capital letters in the string.", "How many characters of s are A-Z?"],
       [(("Hello World",), 2), (("",), 0), (("ABC",), 3), (("abc",), 0), (("aB1C",), 2)],
       "def count_uppercase(s):\n    return sum(1 for c in s if \"A\" <= c <= \"Z\")",
       "function countUppercase(s) {\n  let n = 0;\n"
       "  for (const c of s) if (c >= \"A\" && c <= \"Z\") n++;\n  return n;\n}",
       "class Solution {\n  static int countUppercase(String s) {\n    int n = 0;\n"
       "    for (char c : s.toCharArray()) if (c >= 'A' && c <= 'Z') n++;\n    return n;\n  }\n}",
       "func countUppercase(s string) int {\n\tn := 0\n\tfor _, c := range s {\n"
       "\t\tif c >= 'A' && c <= 'Z' {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"),
    _s("mask_all_but_last_four", "mask_all_but_last_four(s: str) -> str",
       ["Replace every character of s except the last four with '#'.",
        "Mask a card number, showing only its last 4 characters.",
        "Return s with all but the final four characters turned into #."],
       [(("4556364607935616",), "############5616"), (("1234",), "1234"), (("",), ""),
        (("12345",), "#2345"), (("ab",), "ab")],
       "def mask_all_but_last_four(s):\n    return \"#\" * max(0, len(s) - 4) + s[-4:]",
       "function maskAllButLastFour(s) {\n"
       "  return \"#\".repeat(Math.max(0, s.length - 4)) + s.slice(-4);\n}",
       "class Solution {\n  static String maskAllButLastFour(String s) {\n"
       "    int k = Math.max(0, s.length() - 4);\n    return \"#\".repeat(k) + s.substring(k);\n"
       "  }\n}",
       "import \"strings\"\n\nfunc maskAllButLastFour(s string) string {\n\tk := len(s) - 4\n"
       "\tif k < 0 {\n\t\tk = 0\n\t}\n\treturn strings.Repeat(\"#\", k) + s[k:]\n}"),
    _s("alternate_case", "alternate_case(s: str) -> str",
       ["Return s with characters at even indexes upper-case and odd indexes lower-case.",
        "Alternate the case of s starting with upper case.",
        "Make s look like \"HeLlO\": upper, lower, upper, ..."],
       [(("hello",), "HeLlO"), (("",), ""), (("ABCD",), "AbCd"), (("a",), "A"),
        (("a b",), "A B")],
       "def alternate_case(s):\n"
       "    return \"\".join(c.upper() if i % 2 == 0 else c.lower() for i, c in enumerate(s))",
       "function alternateCase(s) {\n  let out = \"\";\n"
       "  for (let i = 0; i < s.length; i++) out += i % 2 === 0 ? s[i].toUpperCase() : "
       "s[i].toLowerCase();\n  return out;\n}",
       "class Solution {\n  static String alternateCase(String s) {\n"
       "    StringBuilder b = new StringBuilder();\n    for (int i = 0; i < s.length(); i++) {\n"
       "      char c = s.charAt(i);\n"
       "      b.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));\n"
       "    }\n    return b.toString();\n  }\n}",
       "import \"unicode\"\n\nfunc alternateCase(s string) string {\n\tr := []rune(s)\n"
       "\tfor i, c := range r {\n\t\tif i%2 == 0 {\n\t\t\tr[i] = unicode.ToUpper(c)\n"
       "\t\t} else {\n\t\t\tr[i] = unicode.ToLower(c)\n\t\t}\n\t}\n\treturn string(r)\n}"),
    _s("words_with_prefix", "words_with_prefix(words: list[str], prefix: str) -> list[str]",
       ["Return the words from the list that start with the given prefix, in order.",
        "Filter a list of words by prefix.", "Keep only the words beginning with prefix."],
       [((["apple", "banana", "apricot"], "ap"), ["apple", "apricot"]),
        (([], "a"), []), ((["x", "y"], ""), ["x", "y"]), ((["cat", "dog"], "z"), []),
        ((["pre", "prefix", "p"], "pre"), ["pre", "prefix"])],
       "def words_with_prefix(words, prefix):\n"
       "    return [w for w in words if w.startswith(prefix)]",
       "function wordsWithPrefix(words, prefix) {\n"
       "  return words.filter((w) => w.startsWith(prefix));\n}",
       "class Solution {\n  static String[] wordsWithPrefix(String[] words, String prefix) {\n"
       "    return java.util.Arrays.stream(words).filter(w -> w.startsWith(prefix))"
       ".toArray(String[]::new);\n  }\n}",
       "import \"strings\"\n\nfunc wordsWithPrefix(words []string, prefix string) []string {\n"
       "\tout := []string{}\n\tfor _, w := range words {\n"
       "\t\tif strings.HasPrefix(w, prefix) {\n\t\t\tout = append(out, w)\n\t\t}\n\t}\n"
       "\treturn out\n}"),
    _s("split_into_chunks", "split_into_chunks(s: str, n: int) -> list[str]",
       ["Split s into pieces of n characters; the last piece may be shorter.",
        "Cut the string into chunks of length n.",
        "Break s into consecutive substrings of n characters each."],
       [(("abcdefg", 3), ["abc", "def", "g"]), (("", 2), []), (("abcd", 2), ["ab", "cd"]),
        (("a", 5), ["a"]), (("xyz", 1), ["x", "y", "z"])],
       "def split_into_chunks(s, n):\n    return [s[i:i + n] for i in range(0, len(s), n)]",
       "function splitIntoChunks(s, n) {\n  const out = [];\n"
       "  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));\n  return out;\n}",
       "class Solution {\n  static String[] splitIntoChunks(String s, int n) {\n"
       "    java.util.List<String> out = new java.util.ArrayList<>();\n"
       "    for (int i = 0; i < s.length(); i += n) "
       "out.add(s.substring(i, Math.min(s.length(), i + n)));\n"
       "    return out.toArray(new String[0]);\n  }\n}",
       "func splitIntoChunks(s string, n int) []string {\n\tout := []string{}\n"
       "\tfor i := 0; i < len(s); i += n {\n\t\tj := i + n\n\t\tif j > len(s) {\n\t\t\tj = len(s)\n"
       "\t\t}\n\t\tout = append(out, s[i:j])\n\t}\n\treturn out\n}",
       ts="function splitIntoChunks(s: string, n: number): string[] {\n"
          "  const out: string[] = [];\n"
          "  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));\n"
          "  return out;\n}"),
    _s("hamming_distance", "hamming_distance(a: str, b: str) -> int",
       ["Return the number of positions at which two equal-length strings differ.",
        "Compute the Hamming distance between a and b.",
        "Count the mismatched characters of two strings of the same length."],
       [(("karolin", "kathrin"), 3), (("", ""), 0), (("abc", "abc"), 0),
        (("0000", "1111"), 4), (("ab", "ba"), 2)],
       "def hamming_distance(a, b):\n    return sum(x != y for x, y in zip(a, b))",
       "function hammingDistance(a, b) {\n  let d = 0;\n"
       "  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;\n  return d;\n}",
       "class Solution {\n  static int hammingDistance(String a, String b) {\n    int d = 0;\n"
       "    for (int i = 0; i < a.length(); i++) if (a.charAt(i) != b.charAt(i)) d++;\n"
       "    return d;\n  }\n}",
       "func hammingDistance(a string, b string) int {\n\td := 0\n"
       "\tfor i := 0; i < len(a); i++ {\n\t\tif a[i] != b[i] {\n\t\t\td++\n\t\t}\n\t}\n"
       "\treturn d\n}"),
    _s("is_rotation", "is_rotation(a: str, b: str) -> bool",
       ["Return true if b is a rotation of a (same length, a cyclic shift).",
        "Check whether b can be obtained by rotating a.",
        "Is b equal to a shifted cyclically?"],
       [(("waterbottle", "erbottlewat"), True), (("abc", "acb"), False), (("", ""), True),
        (("ab", "ab"), True), (("abc", "abcd"), False)],
       "def is_rotation(a, b):\n    return len(a) == len(b) and b in a + a",
       "function isRotation(a, b) {\n  return a.length === b.length && (a + a).includes(b);\n}",
       "class Solution {\n  static boolean isRotation(String a, String b) {\n"
       "    return a.length() == b.length() && (a + a).contains(b);\n  }\n}",
       "import \"strings\"\n\nfunc isRotation(a string, b string) bool {\n"
       "\treturn len(a) == len(b) && strings.Contains(a+a, b)\n}"),
    _s("sort_letters", "sort_letters(s: str) -> str",
       ["Return the characters of s sorted in ascending order.",
        "Sort the characters of the string alphabetically.",
        "Rearrange s so its characters are in order."],
       [(("hello",), "ehllo"), (("",), ""), (("cba",), "abc"), (("zzaa",), "aazz"),
        (("bA",), "Ab")],
       "def sort_letters(s):\n    return \"\".join(sorted(s))",
       "function sortLetters(s) {\n  return s.split(\"\").sort().join(\"\");\n}",
       "class Solution {\n  static String sortLetters(String s) {\n"
       "    char[] c = s.toCharArray();\n    java.util.Arrays.sort(c);\n"
       "    return new String(c);\n  }\n}",
       "import \"sort\"\n\nfunc sortLetters(s string) string {\n\tb := []byte(s)\n"
       "\tsort.Slice(b, func(i, j int) bool { return b[i] < b[j] })\n\treturn string(b)\n}"),
    _s("index_of_substring", "index_of_substring(s: str, sub: str) -> int",
       ["Return the index of the first occurrence of sub in s, or -1.",
        "Find where sub first appears in s.",
        "Search s for sub and give the starting position, -1 if absent."],
       [(("hello", "ll"), 2), (("abc", "d"), -1), (("abc", ""), 0), (("aaa", "aa"), 0),
        (("mississippi", "issip"), 4)],
       "def index_of_substring(s, sub):\n    return s.find(sub)",
       "function indexOfSubstring(s, sub) {\n  return s.indexOf(sub);\n}",
       "class Solution {\n  static int indexOfSubstring(String s, String sub) {\n"
       "    return s.indexOf(sub);\n  }\n}",
       "import \"strings\"\n\nfunc indexOfSubstring(s string, sub string) int {\n"
       "\treturn strings.Index(s, sub)\n}"),
    _s("join_with_commas", "join_with_commas(words: list[str]) -> str",
       ["Join the words with \", \" between them.",
        "Return the list of words as one comma-separated string.",
        "Combine the strings into a single string separated by comma and space."],
       [((["a", "b", "c"],), "a, b, c"), (([],), ""), ((["one"],), "one"),
        ((["x", ""],), "x, "), ((["hello", "world"],), "hello, world")],
       "def join_with_commas(words):\n    return \", \".join(words)",
       "function joinWithCommas(words) {\n  return words.join(\", \");\n}",
       "class Solution {\n  static String joinWithCommas(String[] words) {\n"
       "    return String.join(\", \", words);\n  }\n}",
       "import \"strings\"\n\nfunc joinWithCommas(words []string) string {\n"
       "\treturn strings.Join(words, \", \")\n}"),
]
