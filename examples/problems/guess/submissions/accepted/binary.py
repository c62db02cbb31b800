lo, hi = 1, 1000000
while lo <= hi:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    r = input().strip()
    if r == "=":
        break
    if r == ">":
        lo = mid + 1
    else:
        hi = mid - 1
