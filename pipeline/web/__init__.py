"""The online platform (`award serve`): a second front end over the same library as the command line. Routes parse
their input, call one library function and turn the result into JSON or a page; checks run in a pool of worker
processes, never on the event loop."""
