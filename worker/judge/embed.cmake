# embed.cmake — writes the file IN as a C byte array into OUT
# (lang_builtin_yaml / lang_builtin_yaml_len, declared in lang.h).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* generated from languages.yaml by embed.cmake: do not edit */\n#include <stddef.h>\nconst char lang_builtin_yaml[] = {${bytes} 0};\nconst size_t lang_builtin_yaml_len = ${len};\n")
