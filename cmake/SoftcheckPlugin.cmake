# softcheck_add_plugin(NAME SOURCES src...): builds a softcheck plugin (a shared library exporting the C ABI
# of softcheck/plugin.h) named lib<NAME>.so. Works in softcheck's own tree and after find_package(softcheck).
function(softcheck_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "softcheck_add_plugin(${name}): no SOURCES given")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE softcheck::plugin_abi)
  set_target_properties(${name} PROPERTIES PREFIX "lib" C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden)
endfunction()
