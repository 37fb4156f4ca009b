// commands come next
