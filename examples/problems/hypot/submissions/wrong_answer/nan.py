# "nan" is never close to a number.
input()
print("nan")
