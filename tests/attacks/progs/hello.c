/* hello.c — control: the smallest program that must be OK in any box. */
#include <stdio.h>

int main(void) {
  puts("hello from the box");
  return 0;
}
