# Turn a text file into a C translation unit holding it as a NUL-terminated byte array.
# Usage: cmake -DIN=file -DOUT=file.c -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\n"
     "const char cxm_default_tenant_json[] = {${bytes}0x00};\n"
     "const size_t cxm_default_tenant_json_len = ${len};\n")
