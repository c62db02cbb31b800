input()
print("\n".join(map(str, sorted(map(int, input().split())))))
