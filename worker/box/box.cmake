# jp_box: the confinement engine (namespaces, skeleton root, seccomp,
# supervision) on top of jp_cgroup; plus the per-run cost benchmark loop.
# jp_policy: the libseccomp policy builder (single source of truth);
# policy_gen runs it at build time and writes the programs the box loads.
add_library(jp_policy STATIC ${CMAKE_CURRENT_LIST_DIR}/policy.c)
target_include_directories(jp_policy PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(jp_policy PUBLIC jp_common PkgConfig::SECCOMP)
add_executable(policy_gen ${CMAKE_CURRENT_LIST_DIR}/policy_gen.c)
target_link_libraries(policy_gen PRIVATE jp_policy)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/policy_prebuilt.c
  COMMAND policy_gen ${CMAKE_CURRENT_BINARY_DIR}/policy_prebuilt.c
  DEPENDS policy_gen
  COMMENT "Exporting the seccomp policies to BPF"
  VERBATIM)

add_library(jp_box STATIC
  ${CMAKE_CURRENT_BINARY_DIR}/policy_prebuilt.c
  ${CMAKE_CURRENT_LIST_DIR}/child.c
  ${CMAKE_CURRENT_LIST_DIR}/engine.c
  ${CMAKE_CURRENT_LIST_DIR}/mntns.c
  ${CMAKE_CURRENT_LIST_DIR}/names.c
  ${CMAKE_CURRENT_LIST_DIR}/netns.c
  ${CMAKE_CURRENT_LIST_DIR}/rootfs.c
  ${CMAKE_CURRENT_LIST_DIR}/run.c
  ${CMAKE_CURRENT_LIST_DIR}/slot.c
  ${CMAKE_CURRENT_LIST_DIR}/slotinit.c
  ${CMAKE_CURRENT_LIST_DIR}/verdict.c
  ${CMAKE_CURRENT_LIST_DIR}/workdir.c
  ${CMAKE_CURRENT_LIST_DIR}/args.c)
# The box init runs in the supervisor's memory with its TLS, concurrently:
# no sanitizer runtime calls in there (child.c and slotinit.c make raw system
# calls only), and no stack protector: the slot init outlives the thread
# that cloned it, whose TLS (where the canary is read from) may be gone.
set(JP_INIT_SOURCES ${CMAKE_CURRENT_LIST_DIR}/child.c ${CMAKE_CURRENT_LIST_DIR}/slotinit.c)
if(JP_SANITIZE)
  set_source_files_properties(${JP_INIT_SOURCES} PROPERTIES COMPILE_OPTIONS "-fno-sanitize=all;-fno-stack-protector")
else()
  set_source_files_properties(${JP_INIT_SOURCES} PROPERTIES COMPILE_OPTIONS "-fno-stack-protector")
endif()
target_include_directories(jp_box PUBLIC ${CMAKE_CURRENT_LIST_DIR})
find_package(Threads REQUIRED)
target_link_libraries(jp_box PUBLIC jp_policy jp_cgroup jp_common PkgConfig::SECCOMP Threads::Threads)

if(EXISTS ${PROJECT_SOURCE_DIR}/bench/box_loop.c)
  add_executable(box_loop ${PROJECT_SOURCE_DIR}/bench/box_loop.c)
  target_link_libraries(box_loop PRIVATE jp_box)
  add_executable(spawn_median ${PROJECT_SOURCE_DIR}/bench/spawn_median.c)
endif()
