"""cases_compiler.py — family 10 of REFERENCE §3: gcc run INSIDE the box on
hostile sources. Including a host secret by absolute path must not show its
content in the diagnostics; including /dev/random or the compiler's own
/proc files must end (TLE/MLE/RTE), not hang; include bombs must end."""

from harness import Case

GCC = ["--time", "5", "--wall", "15", "--mem", "512", "--procs", "16"]


def family_compiler(host):
    src = {
        "inc_secret.c": f'#include "{host.secret_path["tmp"]}"\nint main(void){{return 0;}}\n',
        "inc_etc_secret.c": f'#include "{host.secret_path["etc"]}"\nint main(void){{return 0;}}\n',
        "inc_proc1_secret.c": f'#include "/proc/1/root{host.secret_path["tmp"]}"\nint main(void){{return 0;}}\n',
        "inc_shadow.c": '#include "/etc/shadow"\nint main(void){return 0;}\n',
        "inc_environ.c": '#include "/proc/self/environ"\nint main(void){return 0;}\n',
        "inc_parent_environ.c": '#include "/proc/1/environ"\nint main(void){return 0;}\n',
        "inc_random.c": '#include </dev/random>\nint main(void){return 0;}\n',
        "inc_urandom.c": '#include "/dev/urandom"\nint main(void){return 0;}\n',
        "inc_stdin.c": '#include "/dev/stdin"\nint main(void){return 0;}\n',
        "bomb.c": '#include "bomb.c"\n#include "bomb.c"\n',
        "asm_incbin.c": f'__asm__(".incbin \\"{host.secret_path["tmp"]}\\"");\nint main(void){{return 0;}}\n',
    }
    t = host.tag  # in every file name, so gcc's command lines carry it
    src = {f"{t}_{name}": text.replace('"bomb.c"', f'"{t}_bomb.c"') for name, text in src.items()}
    files = {name: host.scratch(name, text) for name, text in src.items()}

    def gcc(name, what, expect=("RTE",), extra=None, stdin=None):
        short = name.split(".")[0]
        name = f"{t}_{name}"
        return Case(f"gcc-{short}", "/usr/bin/gcc",
                    args=(extra or ["-fsyntax-only"]) + [name], opts=GCC, files=[(files[name], name)],
                    expect=expect, stdin=stdin, what=what)

    return [
        gcc("inc_secret.c", "#include of a host secret by absolute path: only 'No such file' may come out"),
        gcc("inc_etc_secret.c", "#include of a secret placed in the host's /etc"),
        gcc("inc_proc1_secret.c", "#include through /proc/1/root"),
        gcc("inc_shadow.c", '#include "/etc/shadow"'),
        gcc("inc_environ.c", "#include of the compiler's own environment (the judge's secrets must not be there)",
            expect=("RTE", "OK")),
        gcc("inc_parent_environ.c", "#include /proc/1/environ", expect=("RTE", "OK")),
        gcc("inc_random.c", "#include </dev/random> must end", expect=("TLE", "MLE", "RTE", "OLE")),
        gcc("inc_urandom.c", '#include "/dev/urandom" must end', expect=("TLE", "MLE", "RTE", "OLE")),
        gcc("inc_stdin.c", '#include "/dev/stdin" with an endless stdin must end',
            expect=("TLE", "MLE", "RTE", "OLE", "OK"), stdin="/dev/zero"),
        gcc("bomb.c", "self-including file (include bomb) must end", expect=("TLE", "MLE", "RTE", "OLE")),
        gcc("asm_incbin.c", ".incbin of a host secret by the assembler", expect=("RTE",),
            extra=["-c", "-o", "out.o"]),
    ]
