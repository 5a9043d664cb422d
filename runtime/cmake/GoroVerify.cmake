# GoroVerify.cmake — the algorithm verification kit for a channel or a run queue of your own:
# goro's scenarios (<goro/verify/relacy/channel_scenarios.hpp>, <goro/verify/relacy/queue_scenarios.hpp>)
# model-checked on your type under Relacy, and for a channel goro's properties
# (<goro/verify/channel_properties.hpp>) and stress program (<goro/verify/channel_stress.hpp>) run
# on it inside goro's runtime — with no scenario written by you. Found by find_package(goro).
#
#   goro_add_algorithm_checks(NAME <name> HEADER <header> TYPE <template> KIND channel
#                             CAPACITIES <n>...)
#   goro_add_algorithm_checks(NAME <name> HEADER <header> TYPE <template> KIND queue)
#     builds <name>_model: every scenario (a channel's at every capacity), on `TYPE<Sync, int>`
#     for a channel, `TYPE<Sync, Task>` (a queue of Task*) for a queue (TYPE is a class template
#     `template <class Sync, class T>` declared in HEADER, e.g. my::Chan);
#     ctest `<name>.model` runs its quick tier (random scheduler); `<name>_model --full` is the
#     exhaustive tier, `--list` the scenarios, `--scenario S` one of them, `--verbose` Relacy's
#     execution history. A type that does not satisfy goro::ChannelAlgorithm (goro::RunQueueAlgorithm)
#     fails to compile with one message naming the missing requirement
#     (goro::check_channel_algorithm, goro::check_run_queue_algorithm).
#     `scripts/suite mutants --models --header <header> --model <build>/<name>_model` (from goro's
#     clone) runs every memory-order weakening of HEADER against this executable.
#     KIND channel also builds, on `TYPE<goro::RuntimeSync, int>` inside goro's runtime (every
#     policy, 1 and 2 workers):
#     <name>_properties: RapidCheck — linearizability of concurrent histories and agreement with
#       the sequential channel model, failures shrunk and printed; ctest `<name>.properties`
#       (`--cases N`, `--seed N`, `--property NAME`; Debian librapidcheck-dev);
#     <name>_stress: producers and consumers with close, linked with goro::chaos (seeded
#       perturbation at every synchronisation point); ctest `<name>.stress` (`--seconds S`);
#     <name>_stress_tsan: the same program under ThreadSanitizer (goro::tsan), when goro was built
#       with a toolchain that has it; ctest `<name>.stress_tsan`.
#     Each writes its verdicts with `--json FILE`; `--help` lists its options.
#
#   goro_add_algorithm_mutant(NAME <name> BUG <bug> EXPECT <kind> SEARCH <text> REPLACE <text>
#                             [PROPERTIES <kind>] [STRESS <kind>] [TSAN <kind>])
#     a planted bug: <name>_model_<bug> is the same model built against a scratch copy of HEADER
#     in which SEARCH (which must occur exactly once) is replaced by REPLACE; ctest
#     `<name>.finds.<bug>` passes only if the first scenario that fails reports <kind>
#     (data_race, assertion, deadlock, livelock, invariant). Your header is never changed.
#     PROPERTIES / STRESS / TSAN also build that check on the scratch copy, with ctest
#     `<name>.properties.finds.<bug>` (kinds: deadlock, wrong_result), `<name>.stress.finds.<bug>`
#     and `<name>.stress_tsan.finds.<bug>` (kinds: lost, duplicated, reordered, wrong_result,
#     hang, data_race), each passing only if the check fails as that kind.
#
# Needs Relacy (Debian: relacy-dev, relacy/relacy.hpp) and RapidCheck (Debian: librapidcheck-dev);
# without either the functions stop the configure with one message.
function(goro_add_algorithm_checks)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;HEADER;TYPE;KIND" "CAPACITIES")
  foreach(required NAME HEADER TYPE KIND)
    if(NOT arg_${required})
      message(FATAL_ERROR "goro_add_algorithm_checks: ${required} is required "
        "(usage: goro_add_algorithm_checks(NAME my_chan HEADER my_chan.hpp TYPE my::Chan KIND channel CAPACITIES 1 4), "
        "or KIND queue without CAPACITIES)")
    endif()
  endforeach()
  if(NOT arg_KIND MATCHES "^(channel|queue)$")
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): KIND ${arg_KIND} is not supported: KIND channel "
      "(goro::ChannelAlgorithm) or KIND queue (goro::RunQueueAlgorithm)")
  endif()
  if(arg_KIND STREQUAL "channel" AND NOT arg_CAPACITIES)
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): KIND channel needs CAPACITIES (e.g. CAPACITIES 0 1 4)")
  endif()
  if(arg_KIND STREQUAL "queue" AND arg_CAPACITIES)
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): CAPACITIES is for KIND channel; a run queue's capacity is its own")
  endif()
  foreach(cap IN LISTS arg_CAPACITIES)
    if(NOT cap MATCHES "^[0-9]+$")
      message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): CAPACITIES must be non-negative integers, got '${cap}'")
    endif()
  endforeach()
  get_filename_component(header "${arg_HEADER}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${header}")
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): HEADER ${arg_HEADER} not found (looked at ${header})")
  endif()
  find_path(GORO_RELACY_INCLUDE_DIR relacy/relacy.hpp)
  if(NOT GORO_RELACY_INCLUDE_DIR)
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): Relacy not found (relacy/relacy.hpp): install the Debian package relacy-dev, "
      "or set GORO_RELACY_INCLUDE_DIR")
  endif()

  find_package(rapidcheck QUIET)
  if(arg_KIND STREQUAL "channel" AND NOT TARGET rapidcheck)
    message(FATAL_ERROR "goro_add_algorithm_checks(${arg_NAME}): RapidCheck not found (rapidcheckConfig.cmake): install the Debian "
      "package librapidcheck-dev, or set rapidcheck_DIR")
  endif()

  get_filename_component(header_name "${header}" NAME)
  get_filename_component(header_dir "${header}" DIRECTORY)
  string(REPLACE ";" ", " caps "${arg_CAPACITIES}")
  set(name "${arg_NAME}")
  set(type "${arg_TYPE}")
  set(source "${CMAKE_CURRENT_BINARY_DIR}/${name}_model.cpp")
  if(arg_KIND STREQUAL "channel")
    file(CONFIGURE OUTPUT "${source}" CONTENT [[
// generated by goro_add_algorithm_checks(NAME @name@): goro's channel scenarios on @type@.
#include <goro/verify/relacy/channel_scenarios.hpp>

#include "@header_name@"

template <class Sync, class T>
using KitChan = @type@<Sync, T>;

int main(int argc, char** argv) {
  goro::models::Driver driver("@name@", argc, argv);
  if constexpr (goro::check_channel_algorithm<KitChan>()) {
    goro::verify::relacy::add_channel_scenarios<KitChan, goro::models::RelacySync, @caps@>(driver);
  }
  return driver.run();
}
]] @ONLY)
  else()
    _goro_verify_queue_source("${source}" "${name}" "${type}" "${header_name}")
  endif()
  set_property(GLOBAL PROPERTY goro_verify_${name} "${header};${header_dir};${source}")
  # Which header this model checks, for `scripts/suite kit` (its memory-order mutants).
  file(WRITE "${CMAKE_BINARY_DIR}/goro-kit/${name}.header" "${header}\n")
  _goro_verify_model(${name}_model "${source}" "${header_dir}")
  add_test(NAME ${name}.model COMMAND ${name}_model)
  set_tests_properties(${name}.model PROPERTIES LABELS "goro-verify;model" TIMEOUT 600)

  # The checks on the real runtime (channels): generated once, built per header (yours, each
  # planted copy).
  if(NOT arg_KIND STREQUAL "channel")
    return()
  endif()
  set(check_sources "")
  foreach(check IN ITEMS properties stress stress_tsan)
    if(check STREQUAL "properties")
      set(include "goro/verify/channel_properties.hpp")
      set(call "goro::verify::property_main<KitChan<goro::RuntimeSync, int>>(\"${name}\", {${caps}}, argc, argv)")
      set(preamble "")
    else()
      set(include "goro/verify/channel_stress.hpp")
      if(check STREQUAL "stress")
        set(flavour chaos)
        set(preamble "")
      else()
        set(flavour tsan)
        # The first race report ends the run (the program records it as `data_race`).
        set(preamble "extern \"C\" const char* __tsan_default_options() { return \"halt_on_error=1\"; }\n")
      endif()
      set(call "goro::verify::stress_main<KitChan<goro::RuntimeSync, int>>(\"${name}\", \"${flavour}\", {${caps}}, argc, argv)")
    endif()
    set(check_source "${CMAKE_CURRENT_BINARY_DIR}/${name}_${check}.cpp")
    file(CONFIGURE OUTPUT "${check_source}" CONTENT [[
// generated by goro_add_algorithm_checks(NAME @name@): goro's @check@ check on @type@ in goro's runtime.
#include <@include@>

#include "@header_name@"

template <class Sync, class T>
using KitChan = @type@<Sync, T>;
@preamble@
int main(int argc, char** argv) {
  if constexpr (goro::check_channel_algorithm<KitChan>()) {
    return @call@;
  }
  return 2;
}
]] @ONLY)
    list(APPEND check_sources "${check_source}")
  endforeach()
  set_property(GLOBAL PROPERTY goro_verify_runtime_${name} "${check_sources}")
  _goro_verify_runtime_checks(${name} "" "${header_dir}")
  if(TARGET ${name}_properties)
    add_test(NAME ${name}.properties COMMAND ${name}_properties --cases 200)
    set_tests_properties(${name}.properties PROPERTIES LABELS "goro-verify;property" TIMEOUT 600)
  endif()
  add_test(NAME ${name}.stress COMMAND ${name}_stress --seconds 3)
  set_tests_properties(${name}.stress PROPERTIES LABELS "goro-verify;stress" TIMEOUT 600)
  if(TARGET ${name}_stress_tsan)
    add_test(NAME ${name}.stress_tsan COMMAND ${name}_stress_tsan --seconds 3)
    set_tests_properties(${name}.stress_tsan PROPERTIES LABELS "goro-verify;stress;sanitize" TIMEOUT 600)
  endif()
endfunction()

# _goro_verify_runtime_checks(<name> <suffix> <include dirs>) builds <name>_properties<suffix>,
# <name>_stress<suffix> (on goro::chaos) and, when goro::tsan exists, <name>_stress_tsan<suffix>
# from the sources goro_add_algorithm_checks generated, against the header found first in
# <include dirs>. `CHECKS` (a list of properties, stress, stress_tsan) limits which are built.
function(_goro_verify_runtime_checks name suffix includes)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "" "CHECKS")
  if(NOT arg_CHECKS)
    set(arg_CHECKS properties stress stress_tsan)
  endif()
  get_property(sources GLOBAL PROPERTY goro_verify_runtime_${name})
  list(GET sources 0 properties_source)
  list(GET sources 1 stress_source)
  list(GET sources 2 stress_tsan_source)
  foreach(check IN LISTS arg_CHECKS)
    set(target ${name}_${check}${suffix})
    if(check STREQUAL "properties")
      set(libraries goro::goro rapidcheck)
    elseif(check STREQUAL "stress")
      if(TARGET goro::chaos)
        set(libraries goro::chaos)
      else()
        message(STATUS "goro_add_algorithm_checks(${name}): goro::chaos is not installed; ${target} runs on the native policy")
        set(libraries goro::goro)
      endif()
    elseif(NOT TARGET goro::tsan)
      message(STATUS "goro_add_algorithm_checks(${name}): goro was built without goro::tsan (no ThreadSanitizer in its "
        "toolchain): ${target} is not built")
      continue()
    else()
      set(libraries goro::tsan)
    endif()
    add_executable(${target} "${${check}_source}")
    target_include_directories(${target} BEFORE PRIVATE ${includes})
    target_link_libraries(${target} PRIVATE ${libraries})
    target_compile_features(${target} PRIVATE cxx_std_20)
  endforeach()
endfunction()

function(goro_add_algorithm_mutant)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;BUG;EXPECT;SEARCH;REPLACE;PROPERTIES;STRESS;TSAN" "")
  foreach(required NAME BUG EXPECT SEARCH)
    if(NOT DEFINED arg_${required})
      message(FATAL_ERROR "goro_add_algorithm_mutant: ${required} is required")
    endif()
  endforeach()
  get_property(kit GLOBAL PROPERTY goro_verify_${arg_NAME})
  if(NOT kit)
    message(FATAL_ERROR "goro_add_algorithm_mutant(${arg_BUG}): call goro_add_algorithm_checks(NAME ${arg_NAME} ...) first")
  endif()
  list(GET kit 0 header)
  list(GET kit 1 header_dir)
  list(GET kit 2 source)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${header}")
  file(READ "${header}" text)
  string(LENGTH "${text}" length_with)
  string(REPLACE "${arg_SEARCH}" "" without "${text}")
  string(LENGTH "${without}" length_without)
  string(LENGTH "${arg_SEARCH}" length_search)
  math(EXPR occurrences "(${length_with} - ${length_without}) / ${length_search}")
  if(NOT occurrences EQUAL 1)
    message(FATAL_ERROR "goro_add_algorithm_mutant(${arg_NAME} ${arg_BUG}): SEARCH occurs ${occurrences} times in ${header}, not once")
  endif()
  string(REPLACE "${arg_SEARCH}" "${arg_REPLACE}" mutated "${text}")
  get_filename_component(header_name "${header}" NAME)
  set(scratch "${CMAKE_CURRENT_BINARY_DIR}/goro_mutants/${arg_BUG}")
  file(WRITE "${scratch}/${header_name}" "${mutated}")
  set(target ${arg_NAME}_model_${arg_BUG})
  _goro_verify_model(${target} "${source}" "${scratch};${header_dir}")
  add_test(NAME ${arg_NAME}.finds.${arg_BUG} COMMAND ${target} --expect ${arg_EXPECT})
  set_tests_properties(${arg_NAME}.finds.${arg_BUG} PROPERTIES LABELS "goro-verify;model;planted" TIMEOUT 600)

  # The same bug against the checks on the real runtime, each expecting its own kind.
  get_property(runtime_checks GLOBAL PROPERTY goro_verify_runtime_${arg_NAME})
  if(NOT runtime_checks AND (DEFINED arg_PROPERTIES OR DEFINED arg_STRESS OR DEFINED arg_TSAN))
    message(FATAL_ERROR "goro_add_algorithm_mutant(${arg_NAME} ${arg_BUG}): PROPERTIES, STRESS and TSAN are checks of KIND channel")
  endif()
  set(property_kinds deadlock wrong_result)
  set(stress_kinds lost duplicated reordered wrong_result hang data_race)
  foreach(check IN ITEMS PROPERTIES STRESS TSAN)
    if(NOT DEFINED arg_${check})
      continue()
    endif()
    if(check STREQUAL "PROPERTIES")
      set(kinds ${property_kinds})
      set(program properties)
      set(options --cases 200)
      set(label property)
    else()
      set(kinds ${stress_kinds})
      set(program stress)
      if(check STREQUAL "TSAN")
        set(program stress_tsan)
      endif()
      # A planted bug ends the run when found; the time box bounds a run that never finds it.
      set(options --seconds 20 --stall-seconds 5)
      set(label stress)
    endif()
    if(NOT arg_${check} IN_LIST kinds)
      string(REPLACE ";" ", " listed "${kinds}")
      message(FATAL_ERROR "goro_add_algorithm_mutant(${arg_NAME} ${arg_BUG}): ${check} ${arg_${check}} is not a kind that check "
        "reports (one of: ${listed})")
    endif()
    _goro_verify_runtime_checks(${arg_NAME} _${arg_BUG} "${scratch};${header_dir}" CHECKS ${program})
    if(TARGET ${arg_NAME}_${program}_${arg_BUG})
      add_test(NAME ${arg_NAME}.${program}.finds.${arg_BUG}
               COMMAND ${arg_NAME}_${program}_${arg_BUG} ${options} --expect ${arg_${check}})
      set_tests_properties(${arg_NAME}.${program}.finds.${arg_BUG} PROPERTIES
        LABELS "goro-verify;${label};planted" TIMEOUT 600)
    endif()
  endforeach()
endfunction()

# _goro_verify_queue_source(<source> <name> <type> <header name>) writes the model of KIND queue.
function(_goro_verify_queue_source source name type header_name)
  file(CONFIGURE OUTPUT "${source}" CONTENT [[
// generated by goro_add_algorithm_checks(NAME @name@ KIND queue): goro's run-queue scenarios on @type@.
#include <goro/verify/relacy/queue_scenarios.hpp>

#include "@header_name@"

template <class Sync, class T>
using KitQueue = @type@<Sync, T>;

int main(int argc, char** argv) {
  goro::models::Driver driver("@name@", argc, argv);
  if constexpr (goro::check_run_queue_algorithm<KitQueue>()) {
    goro::verify::relacy::add_queue_scenarios<KitQueue, goro::models::RelacySync>(driver);
  }
  return driver.run();
}
]] @ONLY)
endfunction()

# _goro_verify_model(<target> <source> <include dirs>) builds one Relacy model executable.
function(_goro_verify_model target source includes)
  add_executable(${target} "${source}")
  target_include_directories(${target} BEFORE PRIVATE ${includes})
  target_include_directories(${target} PRIVATE $<TARGET_PROPERTY:goro::goro,INTERFACE_INCLUDE_DIRECTORIES>)
  target_include_directories(${target} SYSTEM PRIVATE ${GORO_RELACY_INCLUDE_DIR})
  target_compile_features(${target} PRIVATE cxx_std_20)
  # As goro's own models: assertions on (they are checks), Relacy's operator new paired with its
  # unsized delete, Relacy's headers not warning-clean, and -O1 in an optimised build: Relacy's
  # scheduler, not the optimiser, decides which interleavings a run sees, and -O2 costs a model
  # most of its compile time.
  target_compile_options(${target} PRIVATE -UNDEBUG -fno-sized-deallocation -Wno-deprecated-declarations
                         $<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-O1>)
endfunction()
