# jp_cgroup: the cgroup v1/v2 backends behind cgroup.h (discovery through
# libcgroup, per-run control-file I/O done directly).
add_library(jp_cgroup STATIC
  ${CMAKE_CURRENT_LIST_DIR}/cgroup.c
  ${CMAKE_CURRENT_LIST_DIR}/cgroup_discover.c
  ${CMAKE_CURRENT_LIST_DIR}/cgroup_fs.c
  ${CMAKE_CURRENT_LIST_DIR}/cgroup_procs.c
  ${CMAKE_CURRENT_LIST_DIR}/cgroup_v1.c
  ${CMAKE_CURRENT_LIST_DIR}/cgroup_v2.c)
target_include_directories(jp_cgroup PUBLIC ${CMAKE_CURRENT_LIST_DIR})
find_package(Threads REQUIRED)
target_link_libraries(jp_cgroup PUBLIC jp_common PkgConfig::CGROUP Threads::Threads)
