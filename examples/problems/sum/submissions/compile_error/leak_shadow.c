/* Tries to read host files at compile time: the box has no /etc/shadow,
 * so this is a compile error and the compiler message shows nothing. */
#include "/etc/shadow"
int main(void) { return 0; }
