/* Guesses 1, 2, 3, ...: too many guesses; the interactor says WA while
 * this program is still running. */
#include <stdio.h>
int main(void) {
  for (long x = 1;; x++) {
    printf("? %ld\n", x);
    fflush(stdout);
    char r;
    if (scanf(" %c", &r) != 1 || r == '=') return 0;
  }
}
