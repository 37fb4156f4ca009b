import Foundation
import PledgerCLI

exit(await PledgerCommand.runMain())
