# Oasis as a CMake package, so that unikernel projects outside the tree (the build folders `oasis
# configure` writes) can `find_package(Oasis)`: in the build tree (build/package/) for in-tree use,
# and under PREFIX/lib/cmake/Oasis after `cmake --install`, with the tool, headers and libraries.
include(CMakePackageConfigHelpers)

# What a unikernel links: the unix target, the stack and the services on it. The libraries they
# need are found by following LINK_LIBRARIES, once every folder has been read (see the deferred
# call below), so a new dependency anywhere is exported without editing this file.
set(OASIS_PACKAGE_ROOTS oasis_unix oasis_net_stack oasis_http oasis_iperf3)
set(OASIS_BUILD_PACKAGE_DIR ${PROJECT_BINARY_DIR}/package)

function(oasis_collect_libraries out)
  set(pending ${ARGN})
  set(found "")
  while(pending)
    list(POP_FRONT pending library)
    if(library IN_LIST found OR NOT TARGET ${library})
      continue()
    endif()
    get_target_property(imported ${library} IMPORTED)
    if(imported)
      continue()
    endif()
    list(APPEND found ${library})
    get_target_property(dependencies ${library} LINK_LIBRARIES)
    if(dependencies)
      list(APPEND pending ${dependencies})
    endif()
  endwhile()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Runs at the end of the top folder, whose scope does not see this file's variables (and a
# deferred call's arguments are expanded only when it runs): hence global properties.
set_property(GLOBAL PROPERTY OASIS_PACKAGE_ROOTS ${OASIS_PACKAGE_ROOTS})
set_property(GLOBAL PROPERTY OASIS_BUILD_PACKAGE_DIR ${OASIS_BUILD_PACKAGE_DIR})
function(oasis_export_package)
  get_property(roots GLOBAL PROPERTY OASIS_PACKAGE_ROOTS)
  get_property(package_dir GLOBAL PROPERTY OASIS_BUILD_PACKAGE_DIR)
  oasis_collect_libraries(libraries ${roots})
  install(TARGETS ${libraries} EXPORT OasisTargets ARCHIVE DESTINATION lib)
  install(EXPORT OasisTargets NAMESPACE oasis:: DESTINATION lib/cmake/Oasis)
  export(EXPORT OasisTargets NAMESPACE oasis:: FILE ${package_dir}/OasisTargets.cmake)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL oasis_export_package)

if(OASIS_SANITIZE)
  set(OASIS_SANITIZE_VALUE TRUE)
else()
  set(OASIS_SANITIZE_VALUE FALSE)
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/OasisConfig.cmake.in
  ${OASIS_BUILD_PACKAGE_DIR}/OasisConfig.cmake @ONLY)
write_basic_package_version_file(${OASIS_BUILD_PACKAGE_DIR}/OasisConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${OASIS_BUILD_PACKAGE_DIR}/OasisConfig.cmake
  ${OASIS_BUILD_PACKAGE_DIR}/OasisConfigVersion.cmake DESTINATION lib/cmake/Oasis)

# Headers keep their root-relative paths under include/oasis ("core/task.hpp").
foreach(folder core dev net services targets/unix)
  get_filename_component(parent ${folder} DIRECTORY)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${folder} DESTINATION include/oasis/${parent}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "corpus" EXCLUDE)
endforeach()
