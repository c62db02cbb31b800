n, t = map(int, input().split())
a = list(map(int, input().split()))
pos = {}
for i, x in enumerate(a):
    if t - x in pos:
        print(pos[t - x] + 1, i + 1)
        break
    pos.setdefault(x, i)
else:
    print("impossible")
