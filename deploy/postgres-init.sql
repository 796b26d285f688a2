-- One database per service (and the gateway): each owns its data.
CREATE DATABASE members;
CREATE DATABASE enrollment;
CREATE DATABASE billing;
CREATE DATABASE documents;
CREATE DATABASE notifications;
CREATE DATABASE gateway;
