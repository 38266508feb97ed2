// The linked CogDdim.Runtime files (Shared/) are written for the runtime's implicit usings.
global using System;
global using System.Collections.Generic;
global using System.Linq;
