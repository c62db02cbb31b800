/* source_rules.c — the file name rule of source_rules.h. */
#include "source_rules.h"

#include <string.h>

int jp_safe_name(const char *s) {
  size_t n = strnlen(s, 101);
  if (n == 0 || n > 100 || s[0] == '.')
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-' || c == '+'))
      return 0;
  }
  return 1;
}
