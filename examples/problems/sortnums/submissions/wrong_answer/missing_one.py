# Presentation error (testlib exit 2) is reported as WA.
input()
print(*sorted(map(int, input().split()))[1:])
