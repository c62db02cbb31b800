# Prints in scientific notation: still within tolerance.
import math
a, b = map(float, input().split())
print("%.10e" % math.hypot(a, b))
