/* Calls ptrace: a forbidden system call, the box kills it (SV). */
#include <stdio.h>
#include <sys/ptrace.h>
int main(void) {
  long a, b;
  if (scanf("%ld %ld", &a, &b) != 2) return 1;
  ptrace(PTRACE_TRACEME, 0, 0, 0);
  printf("%ld\n", a + b);
  return 0;
}
