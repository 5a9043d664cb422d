# expect_exit.cmake — run COMMAND with ARGS; pass when it exits with EXPECT_EXIT and its stderr
# matches the regular expression EXPECT_STDERR. Used by the bad-input tests of goro-stress.
#   cmake -DCOMMAND=prog -DARGS="a;b" -DEXPECT_EXIT=2 -DEXPECT_STDERR=regex -P expect_exit.cmake
execute_process(COMMAND ${COMMAND} ${ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
message("exit status: ${status}\nstdout: ${out}\nstderr: ${err}")
if(NOT status STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit status ${EXPECT_EXIT}, got '${status}'")
endif()
if(NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}'")
endif()
